import pg from 'pg';
import type { SqlDriver } from './sql.js';

export function postgresDriver(pool: pg.Pool): SqlDriver {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await pool.query(sql, params);
      return result.rows as T[];
    },
    async withSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async query<T>(sql: string, params: unknown[] = []) {
            const result = await client.query(sql, params);
            return result.rows as T[];
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        });
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
    parallelism: pool.options.max ?? 10,
    singleProcess: false,
  };
}

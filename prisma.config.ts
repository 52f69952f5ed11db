import { defineConfig } from 'prisma/config';

// Migrations are applied by AuthFlow's own runner (src/db/migrate.ts); the CLI only generates the client.
export default defineConfig({
  schema: 'prisma/schema.prisma',
});

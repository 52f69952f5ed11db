import { timestamp } from '../../src/db/sql.js';

describe('timestamp columns', () => {
  test('a Date or a parsable value is that time; none is null; anything unreadable fails closed to the distant past', () => {
    const at = new Date('2026-12-03T10:00:00.000Z');
    expect(timestamp(at)).toBe(at);
    expect(timestamp('2026-12-03T10:00:00.000Z')).toEqual(at);
    expect(timestamp(null)).toBeNull();
    expect(timestamp(undefined)).toBeNull();
    // An unreadable consumed_at must read as consumed, an unreadable expires_at as expired.
    expect(timestamp('not a time')).toEqual(new Date(0));
    expect(timestamp(new Date(Number.NaN))).toEqual(new Date(0));
    expect(timestamp({})).toEqual(new Date(0));
  });
});

import { OwnClient } from '../http/own-client.js';

export const DEMO_CLIENT_ID = 'demo';

/** The demo relying party's client: signs in at /demo/callback, comes back to /demo after logout. */
export const demoClient = (issuer: string) => new OwnClient(issuer, DEMO_CLIENT_ID, { callback: '/demo/callback', afterLogout: '/demo' });

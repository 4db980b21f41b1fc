import { jest } from '@jest/globals';

// Integration and e2e tests start real processes and databases: seconds, not milliseconds.
jest.setTimeout(90_000);

/** Per-file setup: every AWS client in the tests reaches the shared moto server through the standard variable. */
import { inject } from 'vitest';

process.env.AWS_ENDPOINT_URL = inject('motoUrl');

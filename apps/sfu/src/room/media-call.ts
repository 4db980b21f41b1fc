import { DomainError } from '#platform';

/** mediasoup rejects bad parameters with plain errors: they are the client's fault, say so. */
export async function media<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('invalid', `${what}: ${(err as Error).message}`);
  }
}

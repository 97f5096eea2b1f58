// A command the agent refuses: a machine-readable code and a message that says exactly why.
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

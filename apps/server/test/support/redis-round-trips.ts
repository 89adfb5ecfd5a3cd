import { Redis } from 'ioredis';

interface SentCommand {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
}

/**
 * How many Redis round trips `work` waited for, counting only the commands
 * `keep` accepts (by name and arguments, keys with their prefix): commands
 * sent before any of their predecessors answered share a round trip; a command
 * sent after an answer starts the next. Read off every ioredis connection of
 * this process (a Redis Cluster's node connections too), so it fits a test
 * whose own app is quiet meanwhile.
 */
export async function redisRoundTripsDuring(
  keep: (name: string, args: readonly string[]) => boolean,
  work: () => Promise<void>,
): Promise<{ roundTrips: number; commands: string[] }> {
  const events: ('sent' | 'answered')[] = [];
  const commands: string[] = [];
  const prototype = Redis.prototype as unknown as {
    sendCommand: (command: SentCommand, ...rest: unknown[]) => unknown;
  };
  const original = prototype.sendCommand;
  prototype.sendCommand = function (this: unknown, command: SentCommand, ...rest: unknown[]) {
    const args = command.args.map((arg) => (Buffer.isBuffer(arg) ? arg.toString() : String(arg)));
    if (keep(command.name, args)) {
      events.push('sent');
      commands.push(command.name);
      const answered = () => {
        events.push('answered');
      };
      command.promise.then(answered, answered);
    }
    return original.call(this, command, ...rest);
  };
  try {
    await work();
  } finally {
    prototype.sendCommand = original;
  }
  let roundTrips = 0;
  let answeredSinceLastSend = true;
  for (const event of events) {
    if (event === 'answered') {
      answeredSinceLastSend = true;
    } else if (answeredSinceLastSend) {
      roundTrips += 1;
      answeredSinceLastSend = false;
    }
  }
  return { roundTrips, commands };
}

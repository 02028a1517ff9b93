/** JSON lines on stdout: what log collectors in a cluster expect. */

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(debug: boolean, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const emit =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
    };
  return {
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    debug: debug ? emit('debug') : () => {},
  };
}

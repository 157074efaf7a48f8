/** Bolt's and the Slack clients' logs as the project's structured JSON. */
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from '../common/log.ts';

const text = (msg: unknown[]) =>
  msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');

export function slackLogger(log: Logger, level: LogLevel = LogLevel.WARN): SlackLogger {
  let current = level;
  let name = 'slack';
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  const on = (l: LogLevel) => order.indexOf(l) >= order.indexOf(current);
  return {
    debug: (...m: unknown[]) => {
      if (on(LogLevel.DEBUG)) log.debug(text(m), { logger: name });
    },
    info: (...m: unknown[]) => {
      if (on(LogLevel.INFO)) log.info(text(m), { logger: name });
    },
    warn: (...m: unknown[]) => {
      if (on(LogLevel.WARN)) log.warn(text(m), { logger: name });
    },
    error: (...m: unknown[]) => {
      if (on(LogLevel.ERROR)) log.error(text(m), { logger: name });
    },
    setLevel: (l: LogLevel) => {
      current = l;
    },
    getLevel: () => current,
    setName: (n: string) => {
      name = n;
    },
  };
}

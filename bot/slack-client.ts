/** Options for every Slack Web API client the bot makes. */
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from '../common/log.ts';
import type { BotSettings } from './config.ts';
import { slackLogger } from './log.ts';

/** Web API client options for every Slack client the bot makes: API URL, bounded retries, JSON logs. */
export function slackClientOptions(settings: Pick<BotSettings, 'slackApiUrl'>, logger: Logger): WebClientOptions {
  return {
    ...(settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
    // Retries (429 honours Retry-After) are bounded: an answer must not wait half an hour.
    retryConfig: { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 8_000, randomize: true },
    logger: slackLogger(logger),
  };
}

/**
 * What a failed Converse says about the account's access to the model, matched on the error texts AWS
 * documents and users report:
 *
 * - Marketplace subscription. "AccessDeniedException: Model access is denied due to IAM user or service
 *   role is not authorized to perform the required AWS Marketplace actions (aws-marketplace:ViewSubscriptions,
 *   aws-marketplace:Subscribe) to enable access to this model." and "…is not authorized to perform:
 *   aws-marketplace:Subscribe on resource: * …" (AWS re:Post Knowledge Center,
 *   https://repost.aws/knowledge-center/bedrock-resolve-marketplace-permission). The first call of a
 *   third-party model subscribes the account; without that permission the subscription fails and every
 *   later call is denied (https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html).
 * - Anthropic's use-case (first-time use) form. Error code FTUFormNotFilled, HTTP 404, "Model use case
 *   details have not been submitted for this account" (Bedrock troubleshooting, API error codes:
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html); as the SDK
 *   shows it: "ResourceNotFoundException: Model use case details have not been submitted for this account.
 *   Fill out the Anthropic use case details form before using the model. If you have already filled out the
 *   form, try again in 15 minutes." Matched on "use case" whatever the error name.
 */
import { ACCESS_DENIED, errorText, NETWORK, THROTTLED } from '../../common/aws-errors.ts';
import { describeError, errorMessage, errorName } from '../aws.ts';
import { fail, type Outcome } from '../check.ts';

export interface ModelPlace {
  readonly modelId: string;
  readonly region: string;
  /** Who called (the doctor's principal), for "these credentials may not …". */
  readonly principal?: string;
}

/** Opening the model in the playground as an administrator subscribes the account and shows Anthropic's form. */
const playground = (region: string) =>
  `As an administrator, open the model in the Amazon Bedrock console in ${region} ` +
  '(Model catalog → the model → Open in playground)';

/** Where the deploy takes the model from (infra/app.ts). */
const SET_MODEL = "set modelId in cdk.json's context (or deploy with `-c modelId=…`)";

export const MARKETPLACE = /aws-marketplace|marketplace|subscri/i;
export const USE_CASE_FORM = /use[ -]?case|FTUFormNotFilled/i;

/** The failure to report for an error of the model check's Converse call. */
export function explainModelError(e: unknown, at: ModelPlace): Outcome {
  const name = errorName(e);
  const text = `${name} ${errorMessage(e)}`;
  // Bedrock says "denied" in its error's name (AccessDeniedException), whatever the message's words
  const denied = ACCESS_DENIED.test(name);
  const where = `${at.modelId} in ${at.region}`;
  if (USE_CASE_FORM.test(text))
    return fail(
      `Anthropic's use-case form has not been filed for this account, so ${where} refuses to answer ` +
        `(${describeError(e)}).`,
      `${playground(at.region)} and submit the use-case form it shows (once per account, or once in the ` +
        "organization's management account). The model answers within 15 minutes; then run the doctor again.",
    );
  if (denied && MARKETPLACE.test(text))
    return fail(
      `The account has no AWS Marketplace subscription to ${where}, and the caller may not create one ` +
        `(aws-marketplace:Subscribe) (${describeError(e)}).`,
      `${playground(at.region)} and send one message: that subscribes the account. Or give these credentials ` +
        'aws-marketplace:Subscribe, aws-marketplace:ViewSubscriptions and aws-marketplace:Unsubscribe and run the ' +
        'doctor again (its call subscribes). A new subscription takes up to 2 minutes, sometimes 15.',
    );
  if (/Legacy/i.test(text))
    return fail(
      `${where} is a legacy model this account may no longer start using (${describeError(e)}).`,
      `Pick an active model: ${SET_MODEL}, then \`npm run deploy\` (\`--model ID\` tries one first).`,
    );
  if (denied)
    return fail(
      `${at.principal ?? 'These credentials'} may not invoke ${where} (${describeError(e)}).`,
      'Run the doctor with credentials allowed bedrock:InvokeModel on the model (an administrator), or ' +
        'lift the service control policy or permission boundary that denies it.',
    );
  if (/ValidationException/i.test(name) && /on-demand throughput/i.test(text))
    return fail(
      `${where} cannot be called on demand by its model id (${describeError(e)}).`,
      `Use an inference profile id (prefix global., us., eu. or apac.): ${SET_MODEL}, then \`npm run deploy\`.`,
    );
  if (/ResourceNotFound|ValidationException/i.test(name))
    return fail(
      `${where} is not a model or inference profile Bedrock knows there (${describeError(e)}).`,
      `Check the id against the Bedrock model catalog for ${at.region}; ${SET_MODEL}, then \`npm run deploy\`.`,
    );
  if (THROTTLED.test(text))
    return fail(
      `Bedrock throttled the call to ${where} (${describeError(e)}).`,
      "Run the doctor again in a minute; if it stays throttled, check the model's quotas in Service Quotas.",
    );
  if (NETWORK.test(errorText(e)))
    return fail(
      `Amazon Bedrock in ${at.region} did not answer (${describeError(e)}).`,
      'Check the network or proxy, then run the doctor again.',
    );
  return fail(
    `Converse with ${where} failed (${describeError(e)}).`,
    'Run the doctor again; if it keeps failing, ' +
      'try the model in the Bedrock console playground to see the error there.',
  );
}

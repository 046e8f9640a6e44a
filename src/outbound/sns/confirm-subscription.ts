/**
 * Confirms an SNS subscription with the SDK's ConfirmSubscription (SigV4-signed), `AuthenticateOnUnsubscribe`
 * on, so only the topic or subscription owner can unsubscribe us (a visit to the unsigned UnsubscribeURL no longer
 * can). The call goes to the topic's own region; one client per region, made on first use and kept. The SDK reads
 * credentials and `AWS_ENDPOINT_URL_SNS` itself.
 */
import { ConfirmSubscriptionCommand, SNSClient } from '@aws-sdk/client-sns';
import { regionOfTopicArn } from '../../core/sns/sns-message.js';

export type SubscriptionConfirmer = (topicArn: string, token: string) => Promise<void>;

export function createSubscriptionConfirmer(
  clientFor: (region: string) => SNSClient = (region) => new SNSClient({ region }),
): SubscriptionConfirmer {
  const clients = new Map<string, SNSClient>();
  return async (topicArn, token) => {
    const region = regionOfTopicArn(topicArn);
    if (region === null) throw new Error(`cannot confirm a subscription to ${topicArn}: not an SNS topic ARN`);
    let client = clients.get(region);
    if (client === undefined) {
      client = clientFor(region);
      clients.set(region, client);
    }
    await client.send(
      new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: token, AuthenticateOnUnsubscribe: 'true' }),
    );
  };
}

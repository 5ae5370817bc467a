import { Stack } from "aws-cdk-lib";
import { ConfigurationSet, EmailIdentity, Identity, SuppressionReasons } from "aws-cdk-lib/aws-ses";
import { Construct } from "constructs";

/**
 * SES for the order mails: the sender's identity and a configuration set that keeps bounces
 * and complaints from being mailed again. The mails are built in code
 * (functions/mail/order-mails.ts) and sent as simple content, so SES holds no templates.
 */
export class Mail extends Construct {
  readonly senderAddress: string;
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** Identities a send may be authorized against: the address, and its domain if verified. */
  readonly identityArns: readonly string[];
  readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: { senderAddress: string }) {
    super(scope, id);
    this.senderAddress = props.senderAddress;
    this.configurationSet = new ConfigurationSet(this, "ConfigurationSet", {
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new EmailIdentity(this, "Sender", {
      identity: Identity.email(props.senderAddress),
      configurationSet: this.configurationSet,
    });
    const stack = Stack.of(this);
    const domain = props.senderAddress.slice(props.senderAddress.lastIndexOf("@") + 1);
    this.identityArns = [
      this.identity.emailIdentityArn,
      stack.formatArn({ service: "ses", resource: "identity", resourceName: domain }),
    ];
    this.configurationSetArn = stack.formatArn({
      service: "ses",
      resource: "configuration-set",
      resourceName: this.configurationSet.configurationSetName,
    });
  }
}

import type { Mailer } from "../../ports/mailer.ts";
import { AWS_ENVIRONMENT, type Environment, requiredSetting } from "../aws-environment.ts";

/**
 * Mail through SES itself: the mail queue's sender. SES's SDK package (the heaviest the
 * functions load: about 90M instructions, 20-30 ms) and the adapter load with the first message,
 * not when the function starts.
 */
export function mailDelivery(env: Environment): Mailer {
  const from = requiredSetting(env, AWS_ENVIRONMENT.senderAddress);
  const configurationSet = env[AWS_ENVIRONMENT.mailConfigurationSet];
  let ses: Promise<Mailer> | undefined;
  const load = () => {
    ses ??= Promise.all([
      import("@aws-sdk/client-sesv2"),
      import("../../adapters/aws/ses-mailer.ts"),
    ]).then(([{ SESv2Client }, { createSesMailer }]) =>
      createSesMailer({
        client: new SESv2Client({}),
        from,
        configurationSetName: configurationSet === "" ? undefined : configurationSet,
      }),
    );
    return ses;
  };
  return {
    async send(message) {
      await (await load()).send(message);
    },
  };
}

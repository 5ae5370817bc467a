import { SESv2Client } from "@aws-sdk/client-sesv2";
import { createSesMailer } from "../../adapters/aws/ses-mailer.ts";
import type { Mailer } from "../../ports/mailer.ts";
import { AWS_ENVIRONMENT, type Environment, requiredSetting } from "../aws-environment.ts";

export function mailer(env: Environment): Mailer {
  const configurationSet = env[AWS_ENVIRONMENT.mailConfigurationSet];
  return createSesMailer({
    client: new SESv2Client({}),
    from: requiredSetting(env, AWS_ENVIRONMENT.senderAddress),
    configurationSetName: configurationSet === "" ? undefined : configurationSet,
  });
}

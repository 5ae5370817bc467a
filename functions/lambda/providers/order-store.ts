import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoDbOrderStore } from "../../adapters/aws/dynamodb-order-store.ts";
import type { Clock } from "../../domain/clock.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import { AWS_ENVIRONMENT, type Environment, requiredSetting } from "../aws-environment.ts";

export function store(env: Environment, clock: Clock): OrderStore {
  return createDynamoDbOrderStore({
    client: new DynamoDBClient({}),
    tableName: requiredSetting(env, AWS_ENVIRONMENT.tableName),
    clock,
  });
}

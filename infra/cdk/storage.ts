import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  AttributeType,
  Billing,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from "aws-cdk-lib/aws-dynamodb";
import { Key } from "aws-cdk-lib/aws-kms";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { ORDER_TABLE } from "../../functions/adapters/aws/order-table-design.ts";

/** Uploaded documents (OV/EV letters) are kept this long, then deleted. */
export const DOCUMENT_RETENTION_DAYS = 400;

/**
 * Where orders and certificate material live: the order table (order-table-design.ts), the
 * vault bucket under a customer managed key, and the master secret key passphrases derive from.
 */
export class Storage extends Construct {
  readonly key: Key;
  readonly table: TableV2;
  readonly bucket: Bucket;
  readonly masterSecret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.key = new Key(this, "VaultKey", {
      description: "certflow: encrypts the certificate vault and the key master secret",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const { partitionKey, sortKey, byTenantKeys, byRenewalKeys, byReviewKeys } = ORDER_TABLE;
    this.table = new TableV2(this, "Orders", {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: ORDER_TABLE.ttlAttribute,
      // Encrypted at rest with DynamoDB's own key: callers need no KMS permissions, and
      // secrets never reach the table (they live in the vault, under the customer key).
      encryption: TableEncryptionV2.dynamoOwnedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
      // New history events reach the order-events consumer (webhooks, EventBridge) this way.
      dynamoStream: StreamViewType.NEW_IMAGE,
      globalSecondaryIndexes: [
        {
          indexName: ORDER_TABLE.byTenantIndex,
          partitionKey: { name: byTenantKeys.partitionKey, type: AttributeType.STRING },
          sortKey: { name: byTenantKeys.sortKey, type: AttributeType.STRING },
        },
        {
          indexName: ORDER_TABLE.byRenewalIndex,
          partitionKey: { name: byRenewalKeys.partitionKey, type: AttributeType.STRING },
          sortKey: { name: byRenewalKeys.sortKey, type: AttributeType.STRING },
        },
        {
          indexName: ORDER_TABLE.byReviewIndex,
          partitionKey: { name: byReviewKeys.partitionKey, type: AttributeType.STRING },
          sortKey: { name: byReviewKeys.sortKey, type: AttributeType.STRING },
        },
      ],
    });

    this.bucket = new Bucket(this, "Vault", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: "expire-uploaded-documents",
          prefix: "documents/",
          expiration: Duration.days(DOCUMENT_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(30),
        },
        {
          id: "expire-replaced-versions",
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Object access is recorded by CloudTrail data events when an account enables them; server access logs would need a second, unencrypted bucket for a vault that only the service's functions read.",
    });

    this.masterSecret = new Secret(this, "KeyMasterSecret", {
      description:
        "certflow: master secret from which the passphrase of every private key in the vault is derived",
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.masterSecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "Passphrases of stored private keys are derived from this secret; rotating it would make every stored key unreadable. Rotation needs a re-encryption run, not a Secrets Manager rotation.",
    });
  }
}

import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { DynamodbTableItem } from '@cdktf/provider-aws/lib/dynamodb-table-item';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';

/** Names the lab uses for the data an attacker goes after; people following the lab look for them. */
export const CUSTOMER_TABLE_NAME = 'GuardDuty-Example-Customer-DB';
export const DB_PASSWORD_PARAMETER_NAME = 'gd_prod_dbpwd_sample';

export interface SimulationDataProps {
  /** Provider of the sandbox account. */
  readonly provider: AwsProvider;
  readonly region: string;
}

/**
 * The bait: a customer table with one made-up record, and a database password parameter. Nothing
 * here is real data; both go with `cdktf destroy` (no deletion protection, no retained copies).
 */
export class SimulationData extends Construct {
  readonly table: DynamodbTable;
  readonly passwordParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: SimulationDataProps) {
    super(scope, id);
    const { provider, region } = props;
    this.table = new DynamodbTable(this, 'customer-table', {
      provider,
      region,
      name: CUSTOMER_TABLE_NAME,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'name',
      attribute: [{ name: 'name', type: 'S' }],
      deletionProtectionEnabled: false,
    });
    new DynamodbTableItem(this, 'customer-item', {
      provider,
      region,
      tableName: this.table.name,
      hashKey: this.table.hashKey,
      item: JSON.stringify({
        name: { S: 'Joshua Tree' },
        city: { S: 'Example City' },
        creditCard: { S: '0000-0000-0000-0000' },
        note: { S: 'Sample record of the GuardDuty simulation; not real data.' },
      }),
    });
    this.passwordParameter = new SsmParameter(this, 'db-password', {
      provider,
      region,
      name: DB_PASSWORD_PARAMETER_NAME,
      description: 'Sample database password of the GuardDuty simulation (a decoy, not a real secret)',
      type: 'SecureString',
      value: 'sample-password-not-a-secret',
    });
  }
}

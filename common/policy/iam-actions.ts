/**
 * The SDK→IAM action table: which IAM action an SDK operation needs. Most are
 * `${iamPrefix}:${Operation}`; the exceptions are listed here (OPERATION_ACTIONS) or follow a
 * service's own scheme (API Gateway's HTTP verbs, Budgets' two actions). Naming only: no decisions.
 */
import type { ServiceInfo } from '../aws-services.ts';

/**
 * SDK operations whose IAM action is not `${iamPrefix}:${Operation}`. Keyed `service:Operation`
 * (boto3 service name, SDK operation name).
 */
export const OPERATION_ACTIONS: Readonly<Record<string, string>> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:ListDirectoryBuckets': 's3express:ListAllMyDirectoryBuckets',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
  's3:ListMultipartUploads': 's3:ListBucketMultipartUploads',
  's3:ListParts': 's3:ListMultipartUploadParts',
  's3:HeadObject': 's3:GetObject',
  's3:SelectObjectContent': 's3:GetObject',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:GetBucketReplication': 's3:GetReplicationConfiguration',
  's3:GetBucketNotificationConfiguration': 's3:GetBucketNotification',
  's3:GetBucketCors': 's3:GetBucketCORS',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:GetBucketAccelerateConfiguration': 's3:GetAccelerateConfiguration',
  's3:GetBucketAnalyticsConfiguration': 's3:GetAnalyticsConfiguration',
  's3:ListBucketAnalyticsConfigurations': 's3:GetAnalyticsConfiguration',
  's3:GetBucketInventoryConfiguration': 's3:GetInventoryConfiguration',
  's3:ListBucketInventoryConfigurations': 's3:GetInventoryConfiguration',
  's3:GetBucketMetricsConfiguration': 's3:GetMetricsConfiguration',
  's3:ListBucketMetricsConfigurations': 's3:GetMetricsConfiguration',
  's3:GetBucketIntelligentTieringConfiguration': 's3:GetIntelligentTieringConfiguration',
  's3:ListBucketIntelligentTieringConfigurations': 's3:GetIntelligentTieringConfiguration',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:CopyObject': 's3:PutObject',
  's3:DeleteObjects': 's3:DeleteObject',
  's3:CreateMultipartUpload': 's3:PutObject',
  's3:UploadPart': 's3:PutObject',
  's3:CompleteMultipartUpload': 's3:PutObject',
  'lambda:InvokeAsync': 'lambda:InvokeFunction',
  'lambda:InvokeWithResponseStream': 'lambda:InvokeFunction',
  'lambda:Invoke': 'lambda:InvokeFunction',
  'dynamodb:ExecuteStatement': 'dynamodb:PartiQLSelect',
  'dynamodb:BatchExecuteStatement': 'dynamodb:PartiQLSelect',
  'dynamodb:ExecuteTransaction': 'dynamodb:PartiQLSelect',
  'dynamodb:TransactGetItems': 'dynamodb:GetItem',
  'dynamodb:TransactWriteItems': 'dynamodb:PutItem',
  's3control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
  's3control:GetAccessPointScope': 's3express:GetAccessPointScope',
  's3control:ListAccessPointsForDirectoryBuckets': 's3express:ListAccessPointsForDirectoryBuckets',
  'accessanalyzer:GetFindingV2': 'access-analyzer:GetFinding',
  'accessanalyzer:ListFindingsV2': 'access-analyzer:ListFindings',
  'dms:DescribeDataProviders': 'dms:ListDataProviders',
  'dms:DescribeInstanceProfiles': 'dms:ListInstanceProfiles',
  'dms:DescribeMigrationProjects': 'dms:ListMigrationProjects',
  'dms:DescribeExtensionPackAssociations': 'dms:ListExtensionPacks',
  'dms:DescribeMetadataModelAssessments': 'dms:ListMetadataModelAssessments',
  'dms:DescribeMetadataModelConversions': 'dms:ListMetadataModelConversions',
  'dms:DescribeMetadataModelExportsAsScript': 'dms:ListMetadataModelExports',
  'dms:DescribeMetadataModelExportsToTarget': 'dms:ListMetadataModelExports',
};

/** Services whose IAM actions are not named after operations. */
function ruleBasedAction(service: ServiceInfo, operation: string): string | undefined {
  if (service.name === 'apigateway' || service.name === 'apigatewayv2') {
    // API Gateway (REST, and HTTP and WebSocket APIs alike) authorises by HTTP verb; only GET is a
    // read. A verb written as the operation (`apigateway:GET`, as `npm run policy -- check` is given
    // it) is that action.
    const verb = operation.toUpperCase();
    if (['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(verb)) return `apigateway:${verb}`;
    // v2's portals, portal products and pages, and routing rules are IAM actions by name
    if (service.name === 'apigatewayv2' && /Portal|Product|RoutingRule/.test(operation)) {
      return `apigateway:${operation}`;
    }
    // v2's ExportApi is a GET of the API's definition, as v1's GetExport
    if (/^(Get|Export)/.test(operation)) return 'apigateway:GET';
    if (/^Delete/.test(operation)) return 'apigateway:DELETE';
    if (/^Update/.test(operation)) return 'apigateway:PATCH';
    if (/^(Put|Import|Reimport)/.test(operation)) return 'apigateway:PUT';
    return 'apigateway:POST';
  }
  if (service.name === 'budgets') {
    if (/^Describe/.test(operation)) return 'budgets:ViewBudget';
    if (/^(Create|Update|Delete|Execute)/.test(operation)) return 'budgets:ModifyBudget';
  }
  return undefined;
}

/** The IAM action an SDK operation needs, as `prefix:Action` (the action's case as written, not yet checked). */
export function iamActionFor(service: ServiceInfo, operation: string): string {
  return (
    OPERATION_ACTIONS[`${service.name}:${operation}`] ??
    ruleBasedAction(service, operation) ??
    `${service.iamPrefix}:${operation}`
  );
}

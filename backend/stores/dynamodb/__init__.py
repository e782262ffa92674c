"""The DynamoDB store (boto3): one table, the same ports as the SQL store; see docs/dynamodb.md."""

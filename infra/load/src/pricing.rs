//! AWS on-demand prices `make cost` uses, us-east-1, in US dollars: one place, each with
//! its source. Read from the public pricing pages on 2026-12-01; update the date with them.

/// When these were read.
pub const READ_ON: &str = "2026-12-01";

/// Lambda, arm64: per GB-second of billed duration (https://aws.amazon.com/lambda/pricing/,
/// first 6 billion GB-seconds a month).
pub const LAMBDA_ARM_GB_SECOND: f64 = 0.000_013_333_4;
/// Lambda: per request (same page).
pub const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
/// DynamoDB on-demand: per write request unit (https://aws.amazon.com/dynamodb/pricing/on-demand/,
/// Standard table class, since the November 2024 reduction).
pub const DYNAMODB_WRITE_UNIT: f64 = 0.625 / 1e6;
/// DynamoDB on-demand: per read request unit (same page).
pub const DYNAMODB_READ_UNIT: f64 = 0.125 / 1e6;
/// DynamoDB storage: per GB-month beyond the free 25 GB (same page).
pub const DYNAMODB_GB_MONTH: f64 = 0.25;
/// API Gateway HTTP API: per request, first 300 million a month
/// (https://aws.amazon.com/api-gateway/pricing/; requests are metered in 512 KB steps).
pub const HTTP_API_REQUEST: f64 = 1.00 / 1e6;
/// API Gateway WebSocket API: per message, either direction, first billion a month (same
/// page; metered in 32 KB steps).
pub const WEBSOCKET_MESSAGE: f64 = 1.00 / 1e6;
/// API Gateway WebSocket API: per connection minute (same page).
pub const WEBSOCKET_CONNECTION_MINUTE: f64 = 0.25 / 1e6;
/// SNS: per publish, first million a month free (https://aws.amazon.com/sns/pricing/);
/// deliveries to email, SMS or push subscribers are priced per channel and not counted here.
pub const SNS_PUBLISH: f64 = 0.50 / 1e6;

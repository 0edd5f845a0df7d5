//! Adapters: the ports implemented over AWS services.

pub mod dynamo;
pub mod google;
pub mod https;
pub mod meeting;
pub mod realtime;
pub mod s3;
pub mod ses;
pub mod sms;
pub mod sns;
pub mod stripe;

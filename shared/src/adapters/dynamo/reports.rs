//! [`ReportStore`] over DynamoDB: one item per report, in a GSI1 queue by state (open
//! oldest first, resolved newest first); filing takes the reporter's quota in the same
//! transaction, resolving is conditioned on the report still being open.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::points::built;
use super::records::{from_item, to_item};
use super::{DynamoStore, TransactFailure, s};
use crate::domain::{AuditEntry, QuotaUse, Report, ReportId, ReportState};
use crate::ports::{QuotaError, ReportPage, ReportStore, ResolveError, StoreError};

/// A report, in its state's queue.
#[derive(Debug, Serialize, Deserialize)]
struct ReportRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    entity: String,
    /// Top-level copy for the resolve condition.
    state: ReportState,
    report: Report,
}

impl ReportRecord {
    fn new(report: &Report) -> Self {
        let Key { pk, sk } = keys::report(&report.id);
        Self {
            pk,
            sk,
            gsi1pk: keys::report_queue(report.state),
            gsi1sk: keys::report_position(report),
            entity: "Report".into(),
            state: report.state,
            report: report.clone(),
        }
    }
}

impl DynamoStore {
    /// The put of `report`, under `condition` (with `:open` bound when it names it).
    fn report_put(&self, report: &Report, condition: &str) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&ReportRecord::new(report))?))
            .condition_expression(condition);
        if condition.contains(":open") {
            // `state` is a reserved word in expressions.
            put = put
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":open", s(ReportState::Open.as_str()));
        }
        Ok(TransactWriteItem::builder().put(built(put.build())?).build())
    }
}

impl ReportStore for DynamoStore {
    async fn file_report(&self, report: &Report, quota: &QuotaUse) -> Result<(), QuotaError> {
        let items = vec![self.report_put(report, "attribute_not_exists(PK)")?, self.quota_take(quota)?];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&1) => {
                Err(QuotaError::Exhausted(quota.exhausted(report.created_at)))
            }
            Err(TransactFailure::ConditionFailed(_)) => Err(QuotaError::Store(StoreError::Conflict("report id"))),
            Err(TransactFailure::Store(error)) => Err(error.into()),
        }
    }

    async fn report(&self, id: &ReportId) -> Result<Option<Report>, StoreError> {
        let found = self.get_many(&[keys::report(id)]).await?;
        found.into_iter().next().map(|item| from_item::<ReportRecord>(item).map(|r| r.report)).transpose()
    }

    async fn reports(&self, state: ReportState, after: Option<&str>, limit: usize) -> Result<ReportPage, StoreError> {
        let queue = keys::report_queue(state);
        // A position is `<GSI1SK>|<PK>`: both resume a query of the index.
        let start = after.and_then(|position| position.split_once('|')).map(|(gsi1sk, pk)| {
            super::Item::from([
                (keys::PK.to_owned(), s(pk)),
                (keys::SK.to_owned(), s("REPORT")),
                (keys::GSI1PK.to_owned(), s(queue.clone())),
                (keys::GSI1SK.to_owned(), s(gsi1sk)),
            ])
        });
        let output = self
            .index_query(queue)
            // Open reports are worked oldest first; resolved ones are looked back on.
            .scan_index_forward(state == ReportState::Open)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(super::unavailable)?;
        self.count_read(output.items().len());
        let next = output.last_evaluated_key.as_ref().and_then(|key| {
            let gsi1sk = key.get(keys::GSI1SK)?.as_s().ok()?;
            let pk = key.get(keys::PK)?.as_s().ok()?;
            Some(format!("{gsi1sk}|{pk}"))
        });
        let reports = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<ReportRecord>(item).map(|r| r.report))
            .collect::<Result<_, _>>()?;
        Ok(ReportPage { reports, next })
    }

    async fn resolve_report(&self, resolved: &Report, audit: &AuditEntry) -> Result<(), ResolveError> {
        // The report first: its condition failing is the one refusal a caller can act on.
        let items = vec![self.report_put(resolved, "#state = :open")?, self.audit_put(audit)?];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => Err(ResolveError::AlreadyResolved),
            Err(TransactFailure::ConditionFailed(_)) => Err(ResolveError::Store(StoreError::Conflict("report"))),
            Err(TransactFailure::Store(error)) => Err(error.into()),
        }
    }
}

//! [`MemberAdmin`] over the table: audited member changes, and the member index in GSI1
//! (every user item in `MEMBERS#<status>`, sorted by folded name then id).

use aws_sdk_dynamodb::types::AttributeValue;

use super::keys;
use super::records::{UserRecord, from_item};
use super::{DynamoStore, Item, s, unavailable};
use crate::domain::{AccountStatus, AuditEntry, MemberSearch, MemberText, User};
use crate::ports::{MemberAdmin, MemberPage, StoreError};

/// At most this many index items are read per partition for one page, whatever the filters
/// keep: a page stays cheap, and a short page carries a position to continue from.
const READS_PER_PAGE: usize = 500;

/// What one partition gave: the members it matched, and how far it was read (`None` when
/// read to the end).
struct Partial {
    members: Vec<(String, User)>,
    read_to: Option<String>,
}

impl DynamoStore {
    async fn member_partition(
        &self,
        status: AccountStatus,
        search: &MemberSearch,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Partial, StoreError> {
        let partition = keys::member_index(status);
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .expression_attribute_names("#pk", keys::GSI1PK)
            .expression_attribute_values(":pk", s(partition.clone()));
        query = match &search.text {
            Some(MemberText::NamePrefix(prefix)) => query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", keys::GSI1SK)
                .expression_attribute_values(":prefix", s(prefix.clone())),
            _ => query.key_condition_expression("#pk = :pk"),
        };
        if let Some(role) = search.role {
            query = query
                .filter_expression("contains(#roles, :role)")
                .expression_attribute_names("#roles", "roles")
                .expression_attribute_values(":role", s(role.as_str()));
        }
        let mut start = after.map(|position| start_key(&partition, position));
        let (mut members, mut read) = (Vec::new(), 0);
        loop {
            let page_size = (READS_PER_PAGE - read).min(limit.max(25) + 1);
            let output = query
                .clone()
                .limit(i32::try_from(page_size).unwrap_or(100))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable)?;
            read += usize::try_from(output.scanned_count()).unwrap_or(page_size);
            self.count_read(output.items().len());
            for item in output.items.unwrap_or_default() {
                let position = item.get(keys::GSI1SK).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                members.push((position, from_item::<UserRecord>(item)?.into_user()));
            }
            let read_to = output.last_evaluated_key.and_then(|key| key.get(keys::GSI1SK)?.as_s().ok().cloned());
            match read_to {
                Some(position) if members.len() <= limit && read < READS_PER_PAGE => {
                    start = Some(start_key(&partition, &position));
                }
                read_to => return Ok(Partial { members, read_to }),
            }
        }
    }
}

/// The index key to resume after `position` (a member's sort key, which ends in their id).
fn start_key(partition: &str, position: &str) -> Item {
    let id = position.rsplit('#').next().unwrap_or_default();
    Item::from([
        (keys::GSI1PK.to_owned(), s(partition)),
        (keys::GSI1SK.to_owned(), s(position)),
        (keys::PK.to_owned(), s(format!("USER#{id}"))),
        (keys::SK.to_owned(), AttributeValue::S("PROFILE".into())),
    ])
}

impl MemberAdmin for DynamoStore {
    async fn save_member(&self, user: &User, previous: &User, audit: &AuditEntry) -> Result<(), StoreError> {
        let mut items = self.user_writes(user, previous)?;
        items.push(self.audit_put(audit)?);
        self.commit_user(items, user, previous).await
    }

    async fn members(
        &self,
        search: &MemberSearch,
        after: Option<&str>,
        limit: usize,
    ) -> Result<MemberPage, StoreError> {
        let statuses: Vec<AccountStatus> = match search.status {
            Some(status) => vec![status],
            None => vec![AccountStatus::Active, AccountStatus::Suspended],
        };
        let reads = statuses.into_iter().map(|status| self.member_partition(status, search, after, limit));
        let partials = futures_util::future::try_join_all(reads).await?;
        // Every match up to the least-read partition's position is known; past it, not yet.
        let horizon = partials.iter().filter_map(|p| p.read_to.clone()).min();
        let mut members: Vec<(String, User)> = partials
            .into_iter()
            .flat_map(|p| p.members)
            .filter(|(position, _)| horizon.as_ref().is_none_or(|h| position <= h))
            .collect();
        members.sort_by(|a, b| a.0.cmp(&b.0));
        let next = if members.len() > limit {
            members.truncate(limit);
            members.last().map(|(position, _)| position.clone())
        } else {
            horizon
        };
        Ok(MemberPage { members: members.into_iter().map(|(_, user)| user).collect(), next })
    }
}

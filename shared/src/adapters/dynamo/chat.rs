//! [`ChatStore`] over DynamoDB: messages under their conversation, and each member's side
//! of a conversation under the member (GSI1 orders them by last message).

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key, PK, SK};
use super::records::{from_item, to_item};
use super::{DynamoStore, Item, TransactFailure, n, s};
use crate::domain::{
    ConversationId, ConversationSummary, Exhausted, Message, MessageId, MessagePreview, QuotaUse, UserId,
};
use crate::ports::{Acquaintance, ChatStore, ConversationPage, MessagePage, QuotaError, Sent, StoreError};

/// A stored message.
#[derive(Debug, Serialize, Deserialize)]
struct MessageRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    #[serde(flatten)]
    message: Message,
}

/// The record that a client message id was used.
#[derive(Debug, Serialize, Deserialize)]
struct ClientMessageRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    message: MessageId,
    /// TTL: clients retry a send within minutes; a day is generous.
    expires_at: i64,
}

/// A member's side of a conversation.
#[derive(Debug, Serialize, Deserialize)]
struct MemberRecord {
    conversation: ConversationId,
    with: UserId,
    last_message: MessagePreview,
    #[serde(default)]
    unread: u32,
    #[serde(default)]
    last_read: Option<MessageId>,
}

impl MemberRecord {
    fn into_summary(self) -> ConversationSummary {
        ConversationSummary {
            id: self.conversation,
            with: self.with,
            last_message: self.last_message,
            unread: self.unread,
            last_read: self.last_read,
        }
    }
}

/// Two members who share a session, either way round.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ContactRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub other: UserId,
    pub since: DateTime<Utc>,
}

impl ContactRecord {
    /// `user` may chat with `other` from `since` on.
    pub fn new(user: &UserId, other: &UserId, since: DateTime<Utc>) -> Self {
        let Key { pk, sk } = keys::contact(user, other);
        Self { pk, sk, entity: "Contact".into(), other: other.clone(), since }
    }
}

/// Times `mark_read` recounts when a message arrives while it counts.
const MARK_READ_ATTEMPTS: usize = 3;

fn built<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Unavailable(e.to_string()))
}

fn sk_of(item: &Item) -> Option<&str> {
    item.get(SK).and_then(|v| v.as_s().ok()).map(String::as_str)
}

impl DynamoStore {
    /// The update that moves `member`'s side of the conversation to `message`.
    fn member_update(&self, member: &UserId, message: &Message) -> Result<Update, StoreError> {
        let is_sender = member == &message.sender;
        let other = message.conversation_id.other(member).ok_or(StoreError::Corrupt("not a member".into()))?;
        let preview = serde_dynamo::to_attribute_value(MessagePreview::from(message)).map_err(StoreError::corrupt)?;
        // Sending shows the sender has read the conversation; receiving adds one unread.
        let unread =
            if is_sender { "unread = :zero, last_read = :id" } else { "unread = if_not_exists(unread, :zero) + :one" };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::conversation_member(member, &message.conversation_id).item()))
            .update_expression(format!(
                "SET entity = :entity, conversation = :conversation, #with = :with, last_message = :preview, \
                 GSI1PK = :inbox, GSI1SK = :id, {unread}"
            ))
            .expression_attribute_names("#with", "with")
            .expression_attribute_values(":entity", s("ConversationMember"))
            .expression_attribute_values(":conversation", s(message.conversation_id.to_string()))
            .expression_attribute_values(":with", s(other.to_string()))
            .expression_attribute_values(":preview", preview)
            .expression_attribute_values(":inbox", s(keys::inbox(member)))
            .expression_attribute_values(":id", s(message.id.to_string()))
            .expression_attribute_values(":zero", n(0));
        let update = if is_sender { update } else { update.expression_attribute_values(":one", n(1)) };
        built(update.build())
    }

    async fn message(&self, conversation: &ConversationId, id: &MessageId) -> Result<Option<Message>, StoreError> {
        let found = self.get_many(&[keys::message(conversation, id)]).await?;
        found.into_iter().next().map(|item| from_item::<MessageRecord>(item).map(|r| r.message)).transpose()
    }

    /// Messages from the other member after `after`, counted by the query, not read out.
    async fn unread_after(&self, user: &UserId, id: &ConversationId, after: &MessageId) -> Result<u32, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :after AND :end")
            .filter_expression("sender <> :me")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(keys::conversation(id)))
            // `~` sorts after every id character, so the range is "after `after`".
            .expression_attribute_values(":after", s(format!("{}{after}~", keys::MESSAGE_PREFIX)))
            .expression_attribute_values(":end", s(format!("{}~", keys::MESSAGE_PREFIX)))
            .expression_attribute_values(":me", s(user.to_string()));
        self.count_items(query).await
    }
}

impl ChatStore for DynamoStore {
    async fn acquaintance(&self, a: &UserId, b: &UserId) -> Result<Acquaintance, StoreError> {
        let contact = keys::contact(a, b);
        let found = self.get_many(&[contact.clone(), keys::block(a, b), keys::block(b, a)]).await?;
        let met = found.iter().any(|item| sk_of(item) == Some(contact.sk.as_str()));
        Ok(Acquaintance { met, blocked: found.len() > usize::from(met) })
    }

    async fn store_message(&self, message: &Message, quota: &[QuotaUse]) -> Result<Sent, QuotaError> {
        let conversation = &message.conversation_id;
        let claim = keys::client_message(conversation, &message.sender, &message.client_msg_id);
        let claim_record = ClientMessageRecord {
            pk: claim.pk.clone(),
            sk: claim.sk.clone(),
            entity: "ClientMessage".into(),
            message: message.id.clone(),
            expires_at: (message.sent_at + Duration::days(1)).timestamp(),
        };
        let Key { pk, sk } = keys::message(conversation, &message.id);
        let record = MessageRecord { pk, sk, entity: "Message".into(), message: message.clone() };
        let [first, second] = conversation.members();
        // The claim is item 0: its failure means a retry.
        let mut items = vec![
            TransactWriteItem::builder()
                .put(built(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_item(&claim_record)?))
                        .condition_expression("attribute_not_exists(PK)")
                        .build(),
                )?)
                .build(),
            TransactWriteItem::builder()
                .put(built(Put::builder().table_name(&self.table).set_item(Some(to_item(&record)?)).build())?)
                .build(),
            TransactWriteItem::builder().update(self.member_update(first, message)?).build(),
            TransactWriteItem::builder().update(self.member_update(second, message)?).build(),
        ];
        // The sender's uses are counted in the same transaction: a retry fails on the claim
        // and counts nothing; a refused send writes nothing at all.
        let first_quota = items.len();
        for counter in quota {
            items.push(self.quota_take(counter)?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(Sent::Stored),
            Err(TransactFailure::ConditionFailed(failed)) if !failed.contains(&0) => {
                let exhausted = failed
                    .iter()
                    .filter_map(|i| i.checked_sub(first_quota).and_then(|q| quota.get(q)))
                    .map(|quota| quota.exhausted(message.sent_at));
                Err(Exhausted::latest(exhausted)
                    .map_or(QuotaError::Store(StoreError::Conflict("message")), QuotaError::Exhausted))
            }
            Err(TransactFailure::ConditionFailed(_)) => {
                let found = self.get_many(&[claim]).await?;
                let first = found.into_iter().next().ok_or(StoreError::Conflict("client message id"))?;
                let claimed: ClientMessageRecord = from_item(first)?;
                let original = self.message(conversation, &claimed.message).await?;
                let original = original.ok_or(StoreError::Corrupt("claimed message is missing".into()))?;
                Ok(Sent::Replayed(original))
            }
            Err(TransactFailure::Store(error)) => Err(error.into()),
        }
    }

    async fn conversation(
        &self,
        user: &UserId,
        id: &ConversationId,
    ) -> Result<Option<ConversationSummary>, StoreError> {
        let found = self.get_many(&[keys::conversation_member(user, id)]).await?;
        found.into_iter().next().map(|item| from_item::<MemberRecord>(item).map(MemberRecord::into_summary)).transpose()
    }

    async fn conversations(
        &self,
        user: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ConversationPage, StoreError> {
        let (items, next) = self.member_index_page(keys::user(user).pk, keys::inbox(user), after, limit).await?;
        let conversations = items
            .into_iter()
            .map(|item| from_item::<MemberRecord>(item).map(MemberRecord::into_summary))
            .collect::<Result<_, _>>()?;
        Ok(ConversationPage { conversations, next })
    }

    async fn messages(
        &self,
        id: &ConversationId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<MessagePage, StoreError> {
        let pk = keys::conversation(id);
        let query = self.prefix_query(pk.clone(), keys::MESSAGE_PREFIX).scan_index_forward(false);
        let (items, next) = self.query_page(query, &pk, after, limit).await?;
        let messages = items
            .into_iter()
            .map(|item| from_item::<MessageRecord>(item).map(|r| r.message))
            .collect::<Result<_, _>>()?;
        Ok(MessagePage { messages, next })
    }

    async fn mark_read(
        &self,
        user: &UserId,
        id: &ConversationId,
        up_to: &MessageId,
    ) -> Result<Option<ConversationSummary>, StoreError> {
        for _ in 0..MARK_READ_ATTEMPTS {
            let Some(current) = self.conversation(user, id).await? else { return Ok(None) };
            // Never past the last message, never backwards.
            let up_to = up_to.min(&current.last_message.id);
            if current.last_read.as_ref().is_some_and(|read| read >= up_to) {
                return Ok(Some(current));
            }
            let unread = self.unread_after(user, id, up_to).await?;
            let update = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(keys::conversation_member(user, id).item()))
                .update_expression("SET last_read = :up_to, unread = :unread")
                // Only if no message arrived while counting (it would be missed).
                .condition_expression("GSI1SK = :seen")
                .expression_attribute_values(":up_to", s(up_to.to_string()))
                .expression_attribute_values(":unread", n(unread))
                .expression_attribute_values(":seen", s(current.last_message.id.to_string()));
            if self.update_if(update).await? {
                return Ok(Some(ConversationSummary { unread, last_read: Some(up_to.clone()), ..current }));
            }
        }
        Err(StoreError::Conflict("conversation"))
    }
}

//! Conversations and their messages.

use std::future::Future;

use super::{QuotaError, StoreError};
use crate::domain::{ConversationId, ConversationSummary, Message, MessageId, QuotaUse, UserId};

/// Whether two members may talk, read in one round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Acquaintance {
    /// They share a session or a session request.
    pub met: bool,
    /// Either has blocked the other.
    pub blocked: bool,
}

/// What storing a message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Stored now.
    Stored,
    /// The same send was stored before (a retry); here is that message.
    Replayed(Message),
}

/// A page of a member's conversations, latest activity first.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationPage {
    /// The conversations on this page.
    pub conversations: Vec<ConversationSummary>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// A page of a conversation's messages, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct MessagePage {
    /// The messages on this page.
    pub messages: Vec<Message>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// Conversations and their messages.
pub trait ChatStore: Send + Sync {
    /// Whether `a` and `b` share a session and whether either blocked the other.
    fn acquaintance(&self, a: &UserId, b: &UserId) -> impl Future<Output = Result<Acquaintance, StoreError>> + Send;

    /// Stores `message` once per (sender, client message id) and moves both members'
    /// conversation summaries (last message; the recipient's unread count) with it, taking
    /// one use of each of `quota` in the same transaction. A retry (same client id) is
    /// `Replayed` and uses no quota; a used-up quota (`Exhausted`) writes nothing.
    fn store_message(
        &self,
        message: &Message,
        quota: &[QuotaUse],
    ) -> impl Future<Output = Result<Sent, QuotaError>> + Send;

    /// `user`'s summary of one conversation, if they have one.
    fn conversation(
        &self,
        user: &UserId,
        id: &ConversationId,
    ) -> impl Future<Output = Result<Option<ConversationSummary>, StoreError>> + Send;

    /// A page of `user`'s conversations, latest activity first.
    fn conversations(
        &self,
        user: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<ConversationPage, StoreError>> + Send;

    /// A page of a conversation's messages, newest first.
    fn messages(
        &self,
        id: &ConversationId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<MessagePage, StoreError>> + Send;

    /// Marks `user`'s side of a conversation read up to `up_to` (never backwards) and
    /// recounts what is left unread; the summary as it is now.
    fn mark_read(
        &self,
        user: &UserId,
        id: &ConversationId,
        up_to: &MessageId,
    ) -> impl Future<Output = Result<Option<ConversationSummary>, StoreError>> + Send;
}

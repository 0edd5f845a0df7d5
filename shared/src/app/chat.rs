//! Real-time chat: connections, messages, read receipts and typing, and live delivery of
//! notifications.

use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;
use serde::Serialize;

use super::{App, AppError, admitted};
use crate::domain::{
    Bearer, ClientMsgId, ConnectionId, ConversationId, ConversationSummary, Message, MessageId, MessageText,
    Notification, QuotaUse, Scope, UserId, channels,
};
use crate::ports::{
    AccountStore, ChatStore, Connection, ConnectionStore, ConversationPage, MessagePage, NewNotification,
    NotificationStore, PushError, Sent,
};

/// API Gateway closes a WebSocket after two hours; the stored connection outlives that a
/// little, in case `$disconnect` never comes.
pub const CONNECTION_LIFETIME: Duration = Duration::minutes(125);

/// The answer to a message or typing between members where either blocked the other: it
/// does not say who blocked whom.
pub const CANNOT_MESSAGE: &str = "This member cannot be messaged.";

/// Who a message is for: an existing conversation, or a member to start one with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatTarget {
    /// A conversation the sender is in.
    Conversation(ConversationId),
    /// A member the sender shares a session or request with.
    User(UserId),
}

/// What members receive over their WebSocket connections.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    /// A new message (to the recipient, and to the sender's other devices).
    Message {
        /// The message.
        message: &'a Message,
    },
    /// The sender's own connection learns its message is stored (the route's response).
    Ack {
        /// The id the client sent.
        client_msg_id: &'a ClientMsgId,
        /// The stored message.
        message: &'a Message,
    },
    /// A member read a conversation up to a message.
    Read {
        /// The conversation.
        conversation_id: &'a ConversationId,
        /// Who read it.
        user: &'a UserId,
        /// The last message they read.
        up_to: &'a MessageId,
    },
    /// A member is typing.
    Typing {
        /// The conversation.
        conversation_id: &'a ConversationId,
        /// Who is typing.
        user: &'a UserId,
    },
    /// A new notification.
    Notification {
        /// The notification.
        notification: &'a Notification,
    },
}

impl ServerFrame<'_> {
    /// The frame as JSON text.
    pub fn to_json(&self) -> Result<String, AppError> {
        serde_json::to_string(self).map_err(|e| AppError::Encoding(format!("frame: {e}")))
    }
}

/// How a message went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The stored message (the first one, when this send was a retry).
    pub message: Message,
    /// True when this send was a retry of one already stored.
    pub replayed: bool,
    /// Connections of the recipient that received it live.
    pub delivered_to_recipient: usize,
    /// Connections found gone and removed while pushing.
    pub removed_stale: usize,
}

/// What pushing a frame to some connections did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Pushed {
    delivered: usize,
    gone: usize,
}

impl<S: ChatStore + ConnectionStore + NotificationStore + AccountStore> App<S> {
    /// Records a connection of an active member, opened with an access token expiring at
    /// `token_expires_at`.
    pub async fn open_connection(
        &self,
        caller: &Bearer,
        id: ConnectionId,
        token_expires_at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        admitted(self.store.user(&caller.member).await?, caller)?;
        let now = self.clock.now();
        let connection = Connection { id, user: caller.member.clone(), connected_at: now, token_expires_at };
        self.store.connect(&connection, now + CONNECTION_LIFETIME).await?;
        Ok(())
    }

    /// The member a connection belongs to, while it is known and its access token lives.
    /// A WebSocket carries no token per frame, so the one it opened with bounds what it may
    /// do: the same 15 minutes as HTTP, not API Gateway's 2 hours.
    pub async fn connection_owner(&self, id: &ConnectionId) -> Result<UserId, AppError> {
        let now = self.clock.now();
        let connection = self.store.owner(id, now).await?.ok_or(AppError::ConnectionClosed)?;
        if connection.token_expires_at <= now {
            return Err(AppError::TokenExpired);
        }
        Ok(connection.user)
    }

    /// Forgets a closed connection; whose it was, if known.
    pub async fn close_connection(&self, id: &ConnectionId) -> Result<Option<UserId>, AppError> {
        Ok(self.store.disconnect(id).await?)
    }

    /// Sends a chat message: only between members who share a session or request and have
    /// not blocked each other; stored first, then pushed to the recipient's connections and
    /// the sender's other devices. A recipient with no live connection gets a notification.
    /// Sends are limited per member per minute (`Throttled`); a retry is never refused.
    pub async fn send_message(
        &self,
        sender: &UserId,
        via: &ConnectionId,
        target: ChatTarget,
        text: MessageText,
        client_msg_id: ClientMsgId,
    ) -> Result<Delivery, AppError> {
        let conversation = match target {
            ChatTarget::Conversation(id) if id.includes(sender) => id,
            ChatTarget::Conversation(_) => return Err(AppError::ConversationNotFound),
            ChatTarget::User(to) => {
                ConversationId::between(sender, &to).map_err(|reason| AppError::Rule { field: "to_user_id", reason })?
            }
        };
        let recipient = conversation.other(sender).ok_or(AppError::ConversationNotFound)?.clone();
        let both = [&recipient, sender];
        let (acquaintance, connections) = futures_util::join!(
            self.store.acquaintance(sender, &recipient),
            self.store.connections_of(&both, self.clock.now())
        );
        let acquaintance = acquaintance?;
        if !acquaintance.met {
            return Err(AppError::NotAllowed("You can message members you share a session or request with."));
        }
        if acquaintance.blocked {
            return Err(AppError::NotAllowed(CANNOT_MESSAGE));
        }
        let now = self.clock.now();
        let message = Message {
            id: MessageId::new(ulid::Ulid::from_datetime(now.into())),
            conversation_id: conversation,
            sender: sender.clone(),
            text,
            client_msg_id,
            sent_at: now,
        };
        // Messages to an offline member become notifications (and pushes), hence the limit;
        // the send's own transaction counts it, so a retried client id counts nothing.
        let quota = [QuotaUse::new(self.limits.messages_per_member, Scope::Member(sender.clone()), now)];
        let (message, replayed) = match self.store.store_message(&message, &quota).await? {
            Sent::Stored => (message, false),
            Sent::Replayed(original) => (original, true),
        };
        if !replayed {
            crate::observability::metrics::count(now, crate::observability::metrics::MESSAGES_SENT);
        }

        let connections = connections?;
        let (to_recipient, to_sender): (Vec<&Connection>, Vec<&Connection>) =
            connections.iter().partition(|c| c.user == recipient);
        // The sending connection gets the ack as the route's response instead.
        let others: Vec<&Connection> = to_sender.into_iter().filter(|c| &c.id != via).collect();
        let frame = ServerFrame::Message { message: &message }.to_json()?;
        let (live, echo) = futures_util::join!(self.push_all(&to_recipient, &frame), self.push_all(&others, &frame));
        if live.delivered == 0 && !replayed {
            self.notify_offline(&message, &recipient).await?;
        }
        Ok(Delivery { message, replayed, delivered_to_recipient: live.delivered, removed_stale: live.gone + echo.gone })
    }

    /// Marks a conversation read up to `up_to` (the latest message when `None`) and tells
    /// the other member (a read receipt) and the reader's other devices. Between members
    /// where either blocked the other, the reader still clears their own unread count (it
    /// is theirs), but no receipt goes to the other member.
    pub async fn mark_conversation_read(
        &self,
        reader: &UserId,
        conversation: &ConversationId,
        up_to: Option<MessageId>,
    ) -> Result<ConversationSummary, AppError> {
        if !conversation.includes(reader) {
            return Err(AppError::ConversationNotFound);
        }
        // The store never marks past the last message, so "everything" is the largest id.
        let up_to = up_to.unwrap_or_else(|| MessageId::new(ulid::Ulid::from(u128::MAX)));
        let other = conversation.other(reader).ok_or(AppError::ConversationNotFound)?;
        let (summary, acquaintance) = futures_util::join!(
            self.store.mark_read(reader, conversation, &up_to),
            self.store.acquaintance(reader, other)
        );
        let summary = summary?.ok_or(AppError::ConversationNotFound)?;
        if let Some(read) = &summary.last_read {
            let frame = ServerFrame::Read { conversation_id: conversation, user: reader, up_to: read }.to_json()?;
            let told: Vec<&UserId> = if acquaintance?.blocked { vec![reader] } else { vec![&summary.with, reader] };
            let connections = self.store.connections_of(&told, self.clock.now()).await?;
            self.push_all(&connections.iter().collect::<Vec<_>>(), &frame).await;
        }
        Ok(summary)
    }

    /// Tells the other member that `user` is typing. Nothing is stored. Refused, as a
    /// message would be, when either blocked the other.
    pub async fn typing(&self, user: &UserId, conversation: &ConversationId) -> Result<(), AppError> {
        let other = conversation.other(user).ok_or(AppError::ConversationNotFound)?;
        let others = [other];
        let (summary, acquaintance, connections) = futures_util::join!(
            self.store.conversation(user, conversation),
            self.store.acquaintance(user, other),
            self.store.connections_of(&others, self.clock.now())
        );
        if summary?.is_none() {
            return Err(AppError::ConversationNotFound);
        }
        if acquaintance?.blocked {
            return Err(AppError::NotAllowed(CANNOT_MESSAGE));
        }
        let frame = ServerFrame::Typing { conversation_id: conversation, user }.to_json()?;
        self.push_all(&connections?.iter().collect::<Vec<_>>(), &frame).await;
        Ok(())
    }

    /// A page of `user`'s conversations, latest activity first.
    pub async fn my_conversations(
        &self,
        caller: &Bearer,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ConversationPage, AppError> {
        let (admitted, page) =
            futures_util::join!(self.admit(caller), self.store.conversations(&caller.member, after, limit));
        admitted?;
        Ok(page?)
    }

    /// A page of a conversation's messages, newest first; members only.
    pub async fn conversation_messages(
        &self,
        caller: &Bearer,
        conversation: &ConversationId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<MessagePage, AppError> {
        if !conversation.includes(&caller.member) {
            self.admit(caller).await?;
            return Err(AppError::ConversationNotFound);
        }
        let (admitted, page) = futures_util::join!(self.admit(caller), self.store.messages(conversation, after, limit));
        admitted?;
        Ok(page?)
    }

    /// Delivers a stored notification once: live to the member's open connections, then to
    /// SNS for the channels its kind goes to (push only when it was not seen live). True when
    /// it reached a connection; false also when it was delivered before.
    pub async fn deliver_notification(&self, notification: &Notification) -> Result<bool, AppError> {
        // The stream delivers at least once (a retried batch holds records already done): the
        // claim makes each notification go out once. A failure gives the claim back, so the
        // retry sends it; only a crash between claim and send loses the live copy, and the
        // notification still waits in the member's list.
        if !self.store.claim_delivery(&notification.user, &notification.id, self.clock.now()).await? {
            return Ok(false);
        }
        let sent = self.send_notification(notification).await;
        if sent.is_err()
            && let Err(error) = self.store.release_delivery(&notification.user, &notification.id).await
        {
            tracing::warn!(%error, notification = %notification.id, "could not give back a delivery claim");
        }
        sent
    }

    /// Pushes `notification` to the member's connections and publishes it for the channels
    /// its kind goes to (push dropped when it was seen live); whether it was seen live.
    async fn send_notification(&self, notification: &Notification) -> Result<bool, AppError> {
        let connections = self.store.connections_of(&[&notification.user], self.clock.now()).await?;
        let frame = ServerFrame::Notification { notification }.to_json()?;
        let pushed = self.push_all(&connections.iter().collect::<Vec<_>>(), &frame).await;
        let live = pushed.delivered > 0;
        let channels = channels(&notification.kind, live);
        if !channels.is_empty() {
            self.fanout.publish(notification, &channels).await.map_err(AppError::Fanout)?;
        }
        Ok(live)
    }

    async fn notify_offline(&self, message: &Message, recipient: &UserId) -> Result<(), AppError> {
        let sender = self.store.user(&message.sender).await?;
        let name = sender.as_ref().map(|user| user.name.as_str());
        let note = NewNotification::message_received(recipient, name, message);
        Ok(self.store.notify(&[note]).await?)
    }

    /// Pushes `frame` to every connection at once; forgets those found gone.
    async fn push_all(&self, connections: &[&Connection], frame: &str) -> Pushed {
        let results = join_all(connections.iter().map(|c| self.push_one(c, frame))).await;
        results.into_iter().fold(Pushed::default(), |mut total, result| {
            match result {
                Ok(()) => total.delivered += 1,
                Err(PushError::Gone) => total.gone += 1,
                Err(PushError::Failed(_)) => {}
            }
            total
        })
    }

    async fn push_one(&self, connection: &Connection, frame: &str) -> Result<(), PushError> {
        match self.push.push(&connection.id, frame).await {
            Err(PushError::Gone) => {
                // Only this connection is stale; removing it is best-effort (its TTL follows).
                if let Err(error) = self.store.forget(&connection.user, &connection.id).await {
                    tracing::warn!(%error, connection = %connection.id, "could not remove a gone connection");
                }
                Err(PushError::Gone)
            }
            Err(PushError::Failed(error)) => {
                tracing::warn!(%error, connection = %connection.id, "push failed");
                Err(PushError::Failed(error))
            }
            Ok(()) => Ok(()),
        }
    }
}

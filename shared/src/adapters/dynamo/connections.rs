//! [`ConnectionStore`] over DynamoDB: each connection twice, by id (for `$disconnect`) and
//! under its member (for pushes), written and removed together.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use futures_util::future::try_join_all;
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::records::{from_item, to_item};
use super::{DynamoStore, TransactFailure, n};
use crate::domain::{ConnectionId, UserId};
use crate::ports::{Connection, ConnectionStore, StoreError};

/// A connection, as stored under both keys.
#[derive(Debug, Serialize, Deserialize)]
struct ConnectionRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    id: ConnectionId,
    user: UserId,
    connected_at: DateTime<Utc>,
    /// When the connection's access token expires, epoch seconds. Absent on connections
    /// stored before it was recorded: those count as expired and must reconnect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_expires: Option<i64>,
    /// TTL: API Gateway closes connections after two hours, and `$disconnect` may never come.
    expires_at: i64,
}

impl ConnectionRecord {
    fn new(key: Key, connection: &Connection, expires_at: DateTime<Utc>) -> Self {
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: "Connection".into(),
            id: connection.id.clone(),
            user: connection.user.clone(),
            connected_at: connection.connected_at,
            token_expires: Some(connection.token_expires_at.timestamp()),
            expires_at: expires_at.timestamp(),
        }
    }

    fn connection(self) -> Connection {
        let token_expires_at =
            self.token_expires.and_then(|at| DateTime::from_timestamp(at, 0)).unwrap_or(DateTime::UNIX_EPOCH);
        Connection { id: self.id, user: self.user, connected_at: self.connected_at, token_expires_at }
    }
}

fn built<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Unavailable(e.to_string()))
}

fn store_error(failure: TransactFailure) -> StoreError {
    match failure {
        TransactFailure::Store(error) => error,
        TransactFailure::ConditionFailed(_) => StoreError::Conflict("connection"),
    }
}

impl DynamoStore {
    async fn connection_record(&self, id: &ConnectionId) -> Result<Option<ConnectionRecord>, StoreError> {
        let found = self.get_many(&[keys::connection(id)]).await?;
        found.into_iter().next().map(from_item).transpose()
    }

    fn delete_both(&self, user: &UserId, id: &ConnectionId) -> Result<Vec<TransactWriteItem>, StoreError> {
        [keys::connection(id), keys::user_connection(user, id)]
            .iter()
            .map(|key| {
                let delete = built(Delete::builder().table_name(&self.table).set_key(Some(key.item())).build())?;
                Ok(TransactWriteItem::builder().delete(delete).build())
            })
            .collect()
    }
}

impl ConnectionStore for DynamoStore {
    async fn connect(&self, connection: &Connection, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        let items = [keys::connection(&connection.id), keys::user_connection(&connection.user, &connection.id)]
            .into_iter()
            .map(|key| {
                let item = to_item(&ConnectionRecord::new(key, connection, expires_at))?;
                let put = built(Put::builder().table_name(&self.table).set_item(Some(item)).build())?;
                Ok(TransactWriteItem::builder().put(put).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.transact(items).await.map_err(store_error)
    }

    async fn owner(&self, id: &ConnectionId, now: DateTime<Utc>) -> Result<Option<Connection>, StoreError> {
        let record = self.connection_record(id).await?;
        Ok(record.filter(|r| r.expires_at > now.timestamp()).map(ConnectionRecord::connection))
    }

    async fn disconnect(&self, id: &ConnectionId) -> Result<Option<UserId>, StoreError> {
        let Some(record) = self.connection_record(id).await? else { return Ok(None) };
        self.transact(self.delete_both(&record.user, id)?).await.map_err(store_error)?;
        Ok(Some(record.user))
    }

    async fn forget(&self, user: &UserId, id: &ConnectionId) -> Result<(), StoreError> {
        self.transact(self.delete_both(user, id)?).await.map_err(store_error)
    }

    async fn connections_of(&self, users: &[&UserId], now: DateTime<Utc>) -> Result<Vec<Connection>, StoreError> {
        let pages = try_join_all(users.iter().map(|user| {
            // TTL deletion lags by up to days: a connection past its lifetime is not pushed to,
            // nor one whose access token expired (it must reconnect with a fresh one).
            let query = self
                .prefix_query(keys::user(user).pk, keys::CONNECTION_PREFIX)
                .filter_expression("expires_at > :now AND token_expires > :now")
                .expression_attribute_values(":now", n(now.timestamp()));
            self.query_items(query, None)
        }))
        .await?;
        pages
            .into_iter()
            .flatten()
            .map(|item| {
                let record: ConnectionRecord = from_item(item)?;
                Ok(record.connection())
            })
            .collect()
    }
}

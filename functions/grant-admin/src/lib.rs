//! `grant-admin`: makes a registered member an admin. It has no trigger: the operator
//! invokes it once for the first admin (`aws lambda invoke --payload '{"email": "..."}'`,
//! docs/ARCHITECTURE.md, Runbook), and `make admin EMAIL=...` does the same locally. Admin
//! rights are never granted through the API.

use serde::{Deserialize, Serialize};
use shared::App;
use shared::domain::{Email, Roles, UserId};

/// The operator's payload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The member's sign-in address (they must have registered).
    pub email: Email,
}

/// What was granted.
#[derive(Debug, Serialize)]
pub struct Granted {
    /// The member.
    pub user_id: UserId,
    /// Their roles now, admin among them. Their next sign-in's token carries it.
    pub roles: Roles,
}

/// Lambda entry point for the operator's invocation.
pub async fn handler(app: &App, grant: Grant) -> Result<Granted, lambda_runtime::Error> {
    let user = app.grant_admin(&grant.email).await?;
    tracing::info!(member = %user.id, "admin granted");
    Ok(Granted { user_id: user.id, roles: user.roles })
}

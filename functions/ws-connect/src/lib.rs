//! `ws-connect`: the WebSocket API's `$connect` route. Browsers cannot set headers on a
//! WebSocket, so the access token comes as the `token` query parameter; anything but a
//! valid token of an active member refuses the handshake.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use http::StatusCode;
use shared::App;
use shared::http::{ApiError, authenticate_token, connection_id, ws_error, ws_response};

/// Lambda entry point for `$connect`.
pub async fn handler(
    app: &App,
    event: ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
    Ok(connect(app, &event).await.unwrap_or_else(ws_error))
}

async fn connect(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> Result<ApiGatewayProxyResponse, ApiError> {
    let connection = connection_id(event)?;
    let token = event
        .query_string_parameters
        .first("token")
        .ok_or(ApiError::Unauthenticated("Pass the access token as the `token` query parameter."))?;
    let caller = authenticate_token(token, &app.tokens)?;
    app.open_connection(caller.bearer(), connection.clone(), caller.token_expires_at()).await?;
    tracing::info!(user = %caller.user_id(), %connection, "connected");
    Ok(ws_response(StatusCode::OK, None))
}

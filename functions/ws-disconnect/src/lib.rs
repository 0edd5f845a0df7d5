//! `ws-disconnect`: the WebSocket API's `$disconnect` route. API Gateway calls it on a
//! best-effort basis; connections it misses expire (TTL) or are removed on a 410 Gone push.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use http::StatusCode;
use shared::App;
use shared::http::{ApiError, connection_id, ws_error, ws_response};

/// Lambda entry point for `$disconnect`.
pub async fn handler(
    app: &App,
    event: ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
    Ok(disconnect(app, &event).await.unwrap_or_else(ws_error))
}

async fn disconnect(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> Result<ApiGatewayProxyResponse, ApiError> {
    let connection = connection_id(event)?;
    let user = app.close_connection(&connection).await?;
    tracing::info!(user = ?user.map(|u| u.to_string()), %connection, "disconnected");
    Ok(ws_response(StatusCode::OK, None))
}

//! Creates DynamoDB Local tables from template.yaml's `Table` resource, so the local
//! table and the deployed one can never drift apart.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use serde_yaml::Value;

use crate::template::Template;

/// The table could not be created.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The template's definition is not understood.
    #[error("Table definition: {0}")]
    Definition(String),
    /// DynamoDB refused.
    #[error("DynamoDB: {0}")]
    Dynamo(String),
}

fn text<'a>(value: &'a Value, field: &str) -> Result<&'a str, TableError> {
    value.get(field).and_then(Value::as_str).ok_or_else(|| TableError::Definition(format!("missing {field}")))
}

fn list<'a>(value: &'a Value, field: &str) -> &'a [Value] {
    value.get(field).and_then(Value::as_sequence).map(Vec::as_slice).unwrap_or_default()
}

fn key_schema(value: &Value) -> Result<Vec<KeySchemaElement>, TableError> {
    list(value, "KeySchema")
        .iter()
        .map(|element| {
            KeySchemaElement::builder()
                .attribute_name(text(element, "AttributeName")?)
                .key_type(KeyType::from(text(element, "KeyType")?))
                .build()
                .map_err(|e| TableError::Definition(e.to_string()))
        })
        .collect()
}

/// True when `table` exists.
pub async fn table_exists(client: &Client, table: &str) -> Result<bool, TableError> {
    match client.describe_table().table_name(table).send().await {
        Ok(_) => Ok(true),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(false),
        Err(error) => Err(TableError::Dynamo(format!("{:?}", error.into_service_error()))),
    }
}

/// Creates `name` as template.yaml defines `Table` (keys, indexes, billing, stream, TTL),
/// unless it already exists. Returns true when it created the table.
pub async fn ensure_table(client: &Client, template: &Template, name: &str) -> Result<bool, TableError> {
    if table_exists(client, name).await? {
        return Ok(false);
    }
    let spec = &template.table;
    let mut request = client.create_table().table_name(name).set_key_schema(Some(key_schema(spec)?));
    for definition in list(spec, "AttributeDefinitions") {
        let attribute = AttributeDefinition::builder()
            .attribute_name(text(definition, "AttributeName")?)
            .attribute_type(ScalarAttributeType::from(text(definition, "AttributeType")?))
            .build()
            .map_err(|e| TableError::Definition(e.to_string()))?;
        request = request.attribute_definitions(attribute);
    }
    for index in list(spec, "GlobalSecondaryIndexes") {
        let projection_type =
            index.get("Projection").and_then(|p| p.get("ProjectionType")).and_then(Value::as_str).unwrap_or("ALL");
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(text(index, "IndexName")?)
            .set_key_schema(Some(key_schema(index)?))
            .projection(Projection::builder().projection_type(ProjectionType::from(projection_type)).build())
            .build()
            .map_err(|e| TableError::Definition(e.to_string()))?;
        request = request.global_secondary_indexes(gsi);
    }
    let billing = spec.get("BillingMode").and_then(Value::as_str).unwrap_or("PAY_PER_REQUEST");
    request = request.billing_mode(BillingMode::from(billing));
    if let Some(view) = spec.get("StreamSpecification").and_then(|s| s.get("StreamViewType")).and_then(Value::as_str) {
        request = request.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view))
                .build()
                .map_err(|e| TableError::Definition(e.to_string()))?,
        );
    }
    match request.send().await {
        Ok(_) => {}
        // Another process created it between our check and our create: that is fine.
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_in_use_exception()) => return Ok(false),
        Err(error) => return Err(TableError::Dynamo(format!("{:?}", error.into_service_error()))),
    }
    if let Some(ttl) = spec.get("TimeToLiveSpecification").and_then(|t| t.get("AttributeName")).and_then(Value::as_str)
    {
        let ttl = TimeToLiveSpecification::builder()
            .attribute_name(ttl)
            .enabled(true)
            .build()
            .map_err(|e| TableError::Definition(e.to_string()))?;
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(|e| TableError::Dynamo(format!("{:?}", e.into_service_error())))?;
    }
    Ok(true)
}

//! Seeds a fresh table in the DynamoDB Local that `make test` starts and reads it back
//! through the application, the way the API will.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;

use dev_gateway::{Template, local, table};
use seed::{DEMO_PASSWORD, SeedConfig, demo_learner, demo_mentor, mentor_email};
use shared::adapters::dynamo::DynamoStore;
use shared::domain::{Email, SourceAddress};
use shared::ports::{AccountStore, SystemClock};

fn endpoint() -> String {
    std::env::var("DYNAMODB_ENDPOINT")
        .expect("DYNAMODB_ENDPOINT is not set: run the tests with `make test`, which starts DynamoDB Local")
}

async fn count_items(client: &aws_sdk_dynamodb::Client, table: &str) -> usize {
    let mut total = 0;
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .select(aws_sdk_dynamodb::types::Select::Count)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        total += page.count() as usize;
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            return total;
        }
    }
}

#[tokio::test]
async fn seeded_users_read_back_sign_in_and_reseeding_overwrites() {
    let endpoint = endpoint();
    let client = local::dynamo_client(&endpoint);
    let template = Template::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")).unwrap();
    let name = format!("seed-test-{}", ulid::Ulid::new());
    table::ensure_table(&client, &template, &name).await.unwrap();

    let config = SeedConfig { seed: 5, mentors: 40, learners: 12, credentials_for: 2, progress: false };
    assert_eq!(seed::marker(&client, &name, config.seed).await.unwrap(), None);
    let report = seed::seed(&client, &name, &config).await.unwrap();

    let expected: usize = (0..config.mentors)
        .map(|i| DynamoStore::user_items(&demo_mentor(5, i), (i < 2).then_some("h")).unwrap().len())
        .chain(
            (0..config.learners)
                .map(|i| DynamoStore::user_items(&demo_learner(5, i), (i < 2).then_some("h")).unwrap().len()),
        )
        .sum::<usize>()
        + 1;
    assert_eq!(report.users, 52);
    assert_eq!(report.items, expected);
    assert_eq!(count_items(&client, &name).await, expected);
    let marker = seed::marker(&client, &name, config.seed).await.unwrap().unwrap();
    assert!(marker.covers(&config));
    assert!(!marker.covers(&SeedConfig { mentors: 41, ..config.clone() }));

    let app = shared::startup::build(
        &local::config(&name, &endpoint).unwrap(),
        shared::startup::Clients::new(client.clone()),
        Arc::new(SystemClock),
    );
    for user in [demo_mentor(5, 7), demo_learner(5, 3)] {
        assert_eq!(app.store.user(&user.id).await.unwrap(), Some(user));
    }
    let here = SourceAddress::parse("127.0.0.1").unwrap();
    app.login(Email::parse(&mentor_email(1)).unwrap(), DEMO_PASSWORD.to_owned(), here).await.unwrap();
    // Beyond credentials_for there is no password: the address is not even claimed.
    assert!(app.login(Email::parse(&mentor_email(2)).unwrap(), DEMO_PASSWORD.to_owned(), here).await.is_err());

    // Same seed again: the same keys, so nothing is added (signing in added a refresh
    // family, the member's copy of it and its grant; the failed guess added its two rate
    // counters, address and source; the right password gave its uses back, leaving no
    // counter).
    let before = count_items(&client, &name).await;
    seed::seed(&client, &name, &config).await.unwrap();
    assert_eq!(count_items(&client, &name).await, before);
    assert_eq!(before, expected + 5);
}

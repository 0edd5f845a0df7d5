//! Local IAM enforcement end to end: every AWS call a function makes goes through the real
//! SDK and is checked against that function's policy in template.yaml; a permission the
//! policy lacks fails the call as AWS would, naming function, action and resource.

use dev_gateway::iam;
use peerlearn_tests::{Call, STARTS_AT, app, clock_at, gateway_with_template, member, template};
use serde_json::{Value, json};

/// Takes `action` out of every Allow statement of `function`'s policies.
fn without_action(function: &str, action: &str) -> dev_gateway::Template {
    let mut trimmed = template().clone();
    let policies = trimmed.policies.get_mut(function).unwrap();
    let mut removed = 0;
    for policy in policies.iter_mut() {
        let Some(serde_yaml::Value::Sequence(statements)) = policy.get_mut("Statement") else { continue };
        for statement in statements {
            if statement.get("Effect").and_then(serde_yaml::Value::as_str) == Some("Deny") {
                continue;
            }
            if let Some(serde_yaml::Value::Sequence(actions)) = statement.get_mut("Action") {
                let before = actions.len();
                actions.retain(|a| a.as_str() != Some(action));
                removed += before - actions.len();
            }
        }
    }
    assert_eq!(removed, 1, "{function}'s policy allows {action} once");
    trimmed
}

#[tokio::test]
async fn a_missing_permission_fails_the_function_as_in_aws() {
    let (setup, base) = gateway_with_template(without_action("profile", "dynamodb:GetItem"), clock_at(STARTS_AT)).await;
    let table = iam::table_arn(setup.store.table());
    let http = reqwest::Client::new();
    let registered: Value = http
        .post(format!("{base}/auth/register"))
        .json(&json!({"email": "iam@example.com", "password": "correct horse battery", "name": "I Am", "roles": "learner"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = registered["access_token"].as_str().unwrap();

    let me = http.get(format!("{base}/me")).bearer_auth(token).send().await.unwrap();
    assert_eq!(me.status().as_u16(), 500, "the function's GetItem is refused");

    let seen: Value = http.get(format!("{base}/_local/iam")).send().await.unwrap().json().await.unwrap();
    assert!(seen["checked"].as_u64().unwrap() >= 2 && seen["denied"].as_u64().unwrap() >= 1, "{seen}");
    assert!(seen["denials"].as_array().unwrap().iter().any(|d| d["function"] == "profile" && d["resource"] == table));

    let denial = iam::denials().into_iter().find(|d| d.resource == table).expect("the refused call is recorded");
    assert_eq!((denial.function.as_str(), denial.action.as_str()), ("profile", "dynamodb:GetItem"));
    assert_eq!(
        denial.message,
        format!(
            "User: arn:aws:sts::000000000000:assumed-role/profile-role/profile is not authorized to perform: \
             dynamodb:GetItem on resource: {table} because no identity-based policy allows the dynamodb:GetItem action"
        )
    );
}

#[tokio::test]
async fn the_template_as_written_allows_what_the_functions_do() {
    let app = app().await;
    let before = iam::counts();
    let learner = member(app, "allowed@example.com", "learner").await;
    let me = Call::new("GET", "/me").token(&learner.token).send(app).await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    let after = iam::counts();
    assert!(after.checked >= before.checked + 2, "register and GET /me were checked: {before:?} -> {after:?}");
    let table = iam::table_arn(app.store.table());
    assert!(iam::denials().iter().all(|d| d.resource != table), "nothing on this table was denied");
}

#[tokio::test]
async fn reminders_may_expire_requests() {
    // The reminders policy once allowed only Query and PutItem: expiring a request reads the
    // mentor first, so every expiry would have been refused in AWS (tests/sessions.rs runs
    // the job end to end under this policy).
    let principal = peerlearn_tests::principal(app().await, "reminders");
    let table = principal.locals.table_arn();
    // DeleteItem: counting a revealed rating replaces the mentor's listings.
    for action in ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"] {
        assert_eq!(principal.policy.decide(action, &table), iam::Decision::Allowed, "{action}");
    }
    assert_eq!(principal.policy.decide("dynamodb:Query", &format!("{table}/index/GSI1")), iam::Decision::Allowed);
    for action in ["dynamodb:UpdateItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchWriteItem"] {
        assert_eq!(principal.policy.decide(action, &table), iam::Decision::ImplicitDeny, "{action}");
    }
}

#[tokio::test]
async fn uploads_cannot_check_a_file_without_reading_it() {
    use std::sync::Arc;

    use dev_gateway::iam::{Locals, Principal};
    use shared::app::AppError;
    use shared::domain::{Bearer, Role, Roles, UploadId, UserId};

    let app = app().await;
    let owner = member(app, "iam-upload@example.com", "learner").await;
    let body = json!({"purpose": "transcript", "content_type": "application/pdf", "size_bytes": 9});
    let started = Call::new("POST", "/me/uploads").token(&owner.token).json(body).send(app).await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    let put = reqwest::Client::new()
        .put(started.body["url"].as_str().unwrap())
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.7\n".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let id = UploadId::parse(started.body["upload"]["id"].as_str().unwrap()).unwrap();
    let caller = Bearer {
        member: UserId::parse(&owner.id).unwrap(),
        roles: Roles::only(Role::Learner),
        issued_at: app.clock.now(),
    };

    let trimmed = without_action("uploads", "s3:GetObject");
    let principal = Arc::new(Principal::resolve(&trimmed, "uploads", &Locals::of_app(app, &trimmed)).unwrap());
    let refused = iam::as_function(principal, app.complete_upload(&caller, &id)).await;
    assert!(matches!(refused, Err(AppError::Files(_))), "{refused:?}");
    let key = format!("arn:aws:s3:::{}/pending/{}/{id}", app.files.bucket().unwrap(), owner.id);
    assert!(
        iam::denials().iter().any(|d| d.function == "uploads" && d.action == "s3:GetObject" && d.resource == key),
        "the HeadObject was refused as GetObject on the pending key"
    );
    // Under the policy as written the same completion goes through.
    let done = Call::new("POST", &format!("/me/uploads/{id}/complete")).token(&owner.token).send(app).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
}

#[tokio::test]
async fn codes_and_links_cannot_be_sent_without_their_permissions() {
    use std::sync::Arc;

    use dev_gateway::iam::{Locals, Principal};
    use shared::app::AppError;
    use shared::domain::{Bearer, PhoneNumber, Role, Roles, UserId};

    let app = app().await;
    let owner = member(app, "iam-texts@example.com", "learner").await;
    let caller = Bearer {
        member: UserId::parse(&owner.id).unwrap(),
        roles: Roles::only(Role::Learner),
        issued_at: app.clock.now(),
    };
    let random = ulid::Ulid::new().random() % 1_000_000;
    let phone = PhoneNumber::parse(&format!("+14153{random:06}")).unwrap();

    let trimmed = without_action("login", "sns:Publish");
    let principal = Arc::new(Principal::resolve(&trimmed, "login", &Locals::of_app(app, &trimmed)).unwrap());
    let refused = iam::as_function(principal, app.send_phone_code(&caller, phone.clone())).await;
    assert!(matches!(refused, Err(AppError::Delivery(_))), "{refused:?}");
    assert!(iam::denials().iter().any(|d| d.function == "login" && d.action == "sns:Publish" && d.resource == "*"));

    let trimmed = without_action("login", "ses:SendEmail");
    let principal = Arc::new(Principal::resolve(&trimmed, "login", &Locals::of_app(app, &trimmed)).unwrap());
    let refused = iam::as_function(principal, app.resend_confirmation(&caller)).await;
    assert!(matches!(refused, Err(AppError::Delivery(_))), "{refused:?}");
    assert!(iam::denials().iter().any(|d| d.function == "login"
        && d.action == "ses:SendEmail"
        && d.resource.ends_with(":identity/peerlearn.example")));

    // The Deny keeps the phone permission off every topic.
    let principal = Arc::new(Principal::resolve(template(), "login", &Locals::of_app(app, template())).unwrap());
    let topic = iam::Access::new("sns:Publish", "arn:aws:sns:us-east-1:000000000000:peerlearn-notifications");
    assert!(iam::authorize(&principal, &[topic]).is_err());
}

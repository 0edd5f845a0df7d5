//! Settings read once per cold start from the environment that template.yaml sets.

use std::time::Duration;

use crate::auth::{CodeKey, CursorKey, KeyError, PublicKeys, SigningKey};
use crate::domain::PhoneCountries;
use crate::domain::payments::{Currency, FeePercent};

/// Everything a function needs to know about where it runs.
#[derive(Clone)]
pub struct Config {
    /// The platform's currency (`PAYMENTS_CURRENCY`, default usd).
    pub currency: Currency,
    /// The platform's fee on paid sessions (`PLATFORM_FEE_PERCENT`, default 15).
    pub fee: FeePercent,
    /// The OAuth client ids Google ID tokens must be for (`GOOGLE_CLIENT_IDS`, comma
    /// separated); none: Sign in with Google is off.
    pub google_client_ids: Vec<String>,
    /// Where Google's signing keys are read (`GOOGLE_JWKS_URL`; locally the dev gateway).
    pub google_jwks_url: String,
    /// The single table's name (`TABLE_NAME`).
    pub table_name: String,
    /// Overrides the DynamoDB endpoint (`DYNAMODB_ENDPOINT`), for DynamoDB Local only.
    pub dynamodb_endpoint: Option<String>,
    /// Access-token settings.
    pub jwt: JwtConfig,
    /// The WebSocket API's management endpoint (`CONNECTIONS_ENDPOINT`), for functions that
    /// push frames to open connections.
    pub connections_endpoint: Option<String>,
    /// The SNS topic notifications fan out through (`NOTIFICATIONS_TOPIC_ARN`).
    pub notifications_topic: Option<String>,
    /// Overrides the SNS endpoint (`SNS_ENDPOINT`), for the local emulator only.
    pub sns_endpoint: Option<String>,
    /// The key that signs pagination cursors (`CURSOR_KEY`), in functions that page.
    pub cursor_key: Option<CursorKey>,
    /// The uploads bucket (`UPLOADS_BUCKET`), in functions that handle files: only they
    /// build an S3 client.
    pub uploads_bucket: Option<String>,
    /// Overrides the S3 endpoint (`S3_ENDPOINT`), for the local emulator only (path-style).
    pub s3_endpoint: Option<String>,
    /// The Stripe secret key (`STRIPE_SECRET_KEY`), in functions that call Stripe.
    pub stripe_secret_key: Option<String>,
    /// The webhook endpoint's signing secret (`STRIPE_WEBHOOK_SECRET`), in the webhook function.
    pub stripe_webhook_secret: Option<String>,
    /// Overrides Stripe's API base URL (`STRIPE_API_BASE`), for the local stand-in only.
    pub stripe_api_base: Option<String>,
    /// The web app's origin (`WEB_APP_URL`), where Stripe's onboarding sends mentors back
    /// and mailed links point.
    pub web_app_url: String,
    /// The address mail is sent from (`MAIL_SENDER`, an SES identity), in functions that
    /// mail members: only they build an SES client.
    pub mail_sender: Option<String>,
    /// The SES configuration set mail is sent through (`MAIL_CONFIGURATION_SET`), if any.
    pub mail_configuration_set: Option<String>,
    /// Overrides the SES endpoint (`SES_ENDPOINT`), for the local emulator only.
    pub ses_endpoint: Option<String>,
    /// The countries the platform texts (`PHONE_COUNTRIES`, ISO codes, comma separated), in
    /// the function that texts codes: only it builds an SMS client. None: texting is off.
    pub phone_countries: PhoneCountries,
    /// Texted codes a UTC day for the whole platform (`SMS_DAILY_CAP`, default 1,000).
    pub sms_daily_cap: u32,
    /// The key that seals texted codes (`CODE_KEY`), in the function that checks them.
    pub code_key: Option<CodeKey>,
}

/// Which keys a function holds. Each function's `main.rs` names its own: configuration
/// reads only those, and a cold start without one of them fails at once rather than at
/// the first request. Anyone who can read a function's configuration holds its keys, so
/// a function holds none it does not use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keys {
    /// Issues access tokens: the Ed25519 private key (`ACCESS_TOKEN_SIGNING_KEY`).
    pub sign_tokens: bool,
    /// Checks access tokens: the public keys (`ACCESS_TOKEN_PUBLIC_KEYS`).
    pub check_tokens: bool,
    /// Pages: the cursor key (`CURSOR_KEY`).
    pub cursors: bool,
    /// Calls Stripe: the secret API key (`STRIPE_SECRET_KEY`).
    pub stripe: bool,
    /// Believes Stripe's webhooks: the endpoint's signing secret (`STRIPE_WEBHOOK_SECRET`).
    pub stripe_webhooks: bool,
    /// Seals and checks texted codes: the code key (`CODE_KEY`).
    pub codes: bool,
}

impl Keys {
    /// Stream, schedule and `$disconnect` functions, and chat frames: no key at all.
    pub const NONE: Self = Self {
        sign_tokens: false,
        check_tokens: false,
        cursors: false,
        stripe: false,
        stripe_webhooks: false,
        codes: false,
    };
    /// Register: issues tokens and checks none.
    pub const SIGN: Self = Self { sign_tokens: true, ..Self::NONE };
    /// Login, where members prove who they are: issues tokens, checks them on the signed-in
    /// credential changes (password, email, phone) and seals texted codes.
    pub const CREDENTIALS: Self = Self { sign_tokens: true, check_tokens: true, codes: true, ..Self::NONE };
    /// Endpoints that check the caller's token.
    pub const CHECK: Self = Self { check_tokens: true, ..Self::NONE };
    /// Endpoints that check the caller's token and page.
    pub const CHECK_AND_PAGE: Self = Self { check_tokens: true, cursors: true, ..Self::NONE };
    /// Endpoints that check the caller's token and call Stripe.
    pub const CHECK_AND_PAY: Self = Self { check_tokens: true, stripe: true, ..Self::NONE };
    /// Endpoints that check the caller's token, page and call Stripe.
    pub const CHECK_PAGE_AND_PAY: Self = Self { check_tokens: true, cursors: true, stripe: true, ..Self::NONE };
    /// Jobs that call Stripe (the payouts job): the secret API key alone.
    pub const PAY: Self = Self { stripe: true, ..Self::NONE };
    /// The Stripe webhook: its signing secret alone.
    pub const STRIPE_WEBHOOKS: Self = Self { stripe_webhooks: true, ..Self::NONE };
    /// Everything: the local stack, which hosts every function in one process.
    pub const ALL: Self =
        Self { sign_tokens: true, check_tokens: true, cursors: true, stripe: true, stripe_webhooks: true, codes: true };
}

/// How access tokens are signed and checked.
#[derive(Clone, Debug)]
pub struct JwtConfig {
    /// The private key and its id, where tokens are issued (`ACCESS_TOKEN_SIGNING_KEY`).
    pub signing_key: Option<SigningKey>,
    /// The keys tokens are accepted under, where tokens are checked
    /// (`ACCESS_TOKEN_PUBLIC_KEYS`, a JWKS).
    pub public_keys: Option<PublicKeys>,
    /// `iss` claim (`JWT_ISSUER`).
    pub issuer: String,
    /// `aud` claim (`JWT_AUDIENCE`).
    pub audience: String,
    /// Access-token lifetime: short, because access tokens cannot be revoked.
    pub access_ttl: Duration,
}

/// A required setting is missing or unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The variable is not set.
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    /// The variable is set but unusable (the reason never quotes the value).
    #[error("environment variable {0}: {1}")]
    Invalid(&'static str, &'static str),
}

/// Access tokens live 15 minutes; refresh tokens carry the session beyond that.
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);

impl Config {
    /// Reads the configuration, and the `keys` the function holds, from the process
    /// environment.
    pub fn from_env(keys: Keys) -> Result<Self, ConfigError> {
        Self::from_lookup(keys, |name| std::env::var(name).ok())
    }

    /// Reads the configuration through `get`, so tests can supply their own values. Only
    /// the variables of `keys` are read; each of them is required.
    pub fn from_lookup(keys: Keys, get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| get(name).filter(|v| !v.is_empty()).ok_or(ConfigError::Missing(name));
        let key = |wanted: bool, name: &'static str| if wanted { required(name).map(Some) } else { Ok(None) };
        let invalid = |name: &'static str| move |error: KeyError| ConfigError::Invalid(name, error.reason());
        let signing_key = key(keys.sign_tokens, "ACCESS_TOKEN_SIGNING_KEY")?
            .map(|text| SigningKey::from_json(&text).map_err(invalid("ACCESS_TOKEN_SIGNING_KEY")))
            .transpose()?;
        let public_keys = key(keys.check_tokens, "ACCESS_TOKEN_PUBLIC_KEYS")?
            .map(|text| PublicKeys::from_jwks(&text).map_err(invalid("ACCESS_TOKEN_PUBLIC_KEYS")))
            .transpose()?;
        let cursor_key = key(keys.cursors, "CURSOR_KEY")?
            .map(|text| CursorKey::new(&text).map_err(invalid("CURSOR_KEY")))
            .transpose()?;
        let stripe_secret_key = key(keys.stripe, "STRIPE_SECRET_KEY")?;
        let code_key =
            key(keys.codes, "CODE_KEY")?.map(|text| CodeKey::new(&text).map_err(invalid("CODE_KEY"))).transpose()?;
        let phone_countries = get("PHONE_COUNTRIES")
            .map(|list| {
                PhoneCountries::parse(&list)
                    .map_err(|_| ConfigError::Invalid("PHONE_COUNTRIES", "must list countries of the phone table"))
            })
            .transpose()?
            .unwrap_or_default();
        let sms_daily_cap = get("SMS_DAILY_CAP")
            .filter(|v| !v.is_empty())
            .map(|raw| {
                raw.parse::<u32>()
                    .ok()
                    .filter(|cap| *cap > 0)
                    .ok_or(ConfigError::Invalid("SMS_DAILY_CAP", "must be a whole number above 0"))
            })
            .transpose()?
            .unwrap_or(1000);
        // The platform's money terms: the same on every function that reads them
        // (template parameters), defaults where a function does not deal in money.
        let currency = get("PAYMENTS_CURRENCY")
            .filter(|v| !v.is_empty())
            .map(|raw| {
                Currency::parse(&raw).map_err(|_| {
                    ConfigError::Invalid(
                        "PAYMENTS_CURRENCY",
                        "must be one of usd, eur, gbp, cad, aud, nzd, chf, sek, nok, dkk, sgd",
                    )
                })
            })
            .transpose()?
            .unwrap_or_default();
        let fee = get("PLATFORM_FEE_PERCENT")
            .filter(|v| !v.is_empty())
            .map(|raw| {
                let invalid = ConfigError::Invalid("PLATFORM_FEE_PERCENT", "must be a whole percent from 0 to 100");
                raw.parse::<u8>().ok().and_then(|percent| FeePercent::new(percent).ok()).ok_or(invalid)
            })
            .transpose()?
            .unwrap_or(FeePercent::DEFAULT);
        let stripe_webhook_secret = key(keys.stripe_webhooks, "STRIPE_WEBHOOK_SECRET")?;
        Ok(Self {
            currency,
            fee,
            google_client_ids: get("GOOGLE_CLIENT_IDS")
                .map(|ids| ids.split(',').map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
            google_jwks_url: get("GOOGLE_JWKS_URL")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| crate::auth::google_id_token::GOOGLE_JWKS_URL.to_owned()),
            cursor_key,
            stripe_secret_key,
            stripe_webhook_secret,
            stripe_api_base: get("STRIPE_API_BASE").filter(|v| !v.is_empty()),
            web_app_url: get("WEB_APP_URL").filter(|v| !v.is_empty()).unwrap_or_else(|| "http://localhost:5173".into()),
            phone_countries,
            sms_daily_cap,
            code_key,
            mail_sender: get("MAIL_SENDER").filter(|v| !v.is_empty()),
            mail_configuration_set: get("MAIL_CONFIGURATION_SET").filter(|v| !v.is_empty()),
            ses_endpoint: get("SES_ENDPOINT").filter(|v| !v.is_empty()),
            table_name: required("TABLE_NAME")?,
            dynamodb_endpoint: get("DYNAMODB_ENDPOINT").filter(|v| !v.is_empty()),
            connections_endpoint: get("CONNECTIONS_ENDPOINT").filter(|v| !v.is_empty()),
            notifications_topic: get("NOTIFICATIONS_TOPIC_ARN").filter(|v| !v.is_empty()),
            sns_endpoint: get("SNS_ENDPOINT").filter(|v| !v.is_empty()),
            uploads_bucket: get("UPLOADS_BUCKET").filter(|v| !v.is_empty()),
            s3_endpoint: get("S3_ENDPOINT").filter(|v| !v.is_empty()),
            jwt: JwtConfig {
                signing_key,
                public_keys,
                issuer: get("JWT_ISSUER").unwrap_or_else(|| "peerlearn".into()),
                audience: get("JWT_AUDIENCE").unwrap_or_else(|| "peerlearn-api".into()),
                access_ttl: ACCESS_TOKEN_TTL,
            },
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn lookup(values: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
        let values: Vec<(String, String)> = values.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        move |name| values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn everything() -> Vec<(&'static str, String)> {
        let (signing, public) = SigningKey::generate("k1").unwrap();
        vec![
            ("TABLE_NAME", "t".into()),
            ("ACCESS_TOKEN_SIGNING_KEY", signing.to_json()),
            ("ACCESS_TOKEN_PUBLIC_KEYS", public.to_jwks()),
            ("CURSOR_KEY", "c".repeat(40)),
        ]
    }

    #[test]
    fn the_money_terms_default_and_are_checked() {
        let terms = |extra: &[(&str, &str)]| {
            let mut values = everything();
            values.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
            Config::from_lookup(Keys::NONE, lookup(&values))
        };
        let plain = terms(&[]).unwrap();
        assert_eq!((plain.currency, plain.fee), (Currency::USD, FeePercent::DEFAULT));
        let set = terms(&[("PAYMENTS_CURRENCY", "EUR"), ("PLATFORM_FEE_PERCENT", "20")]).unwrap();
        assert_eq!((set.currency.as_str(), set.fee.percent()), ("eur", 20));
        for (name, bad) in
            [("PAYMENTS_CURRENCY", "jpy"), ("PLATFORM_FEE_PERCENT", "101"), ("PLATFORM_FEE_PERCENT", "15%")]
        {
            let refused = terms(&[(name, bad)]).err();
            assert!(matches!(refused, Some(ConfigError::Invalid(n, _)) if n == name), "{name}={bad}: {refused:?}");
        }
    }

    #[test]
    fn a_function_holds_only_the_keys_it_names() {
        let none = Config::from_lookup(Keys::NONE, lookup(&everything())).unwrap();
        assert!(none.jwt.signing_key.is_none() && none.jwt.public_keys.is_none() && none.cursor_key.is_none());
        let check = Config::from_lookup(Keys::CHECK_AND_PAGE, lookup(&everything())).unwrap();
        assert!(check.jwt.signing_key.is_none() && check.jwt.public_keys.is_some() && check.cursor_key.is_some());
        let sign = Config::from_lookup(Keys::SIGN, lookup(&everything())).unwrap();
        assert!(sign.jwt.signing_key.is_some() && sign.jwt.public_keys.is_none());
        assert!(sign.stripe_secret_key.is_none() && sign.stripe_webhook_secret.is_none());
        let mut stripe = everything();
        stripe.extend([("STRIPE_SECRET_KEY", "sk_test_x".to_owned()), ("STRIPE_WEBHOOK_SECRET", "whsec_x".to_owned())]);
        let pay = Config::from_lookup(Keys::CHECK_AND_PAY, lookup(&stripe)).unwrap();
        assert!(pay.stripe_secret_key.is_some() && pay.stripe_webhook_secret.is_none());
        let hooks = Config::from_lookup(Keys::STRIPE_WEBHOOKS, lookup(&stripe)).unwrap();
        assert!(hooks.stripe_secret_key.is_none() && hooks.stripe_webhook_secret.is_some());
        assert!(hooks.jwt.public_keys.is_none());
        assert!(matches!(
            Config::from_lookup(Keys::STRIPE_WEBHOOKS, lookup(&everything())),
            Err(ConfigError::Missing("STRIPE_WEBHOOK_SECRET"))
        ));
    }

    #[test]
    fn a_function_without_any_key_starts_with_the_table_alone() {
        assert!(Config::from_lookup(Keys::NONE, lookup(&[("TABLE_NAME", "t".into())])).is_ok());
    }

    #[test]
    fn a_named_key_is_required_and_checked() {
        let table = [("TABLE_NAME", "t".to_owned())];
        assert!(matches!(
            Config::from_lookup(Keys::CHECK, lookup(&table)),
            Err(ConfigError::Missing("ACCESS_TOKEN_PUBLIC_KEYS"))
        ));
        let bad = [("TABLE_NAME", "t".to_owned()), ("CURSOR_KEY", "short".to_owned())];
        assert!(matches!(
            Config::from_lookup(Keys { cursors: true, ..Keys::NONE }, lookup(&bad)),
            Err(ConfigError::Invalid("CURSOR_KEY", _))
        ));
        let bad = [("TABLE_NAME", "t".to_owned()), ("ACCESS_TOKEN_SIGNING_KEY", "{}".to_owned())];
        assert!(matches!(
            Config::from_lookup(Keys::SIGN, lookup(&bad)),
            Err(ConfigError::Invalid("ACCESS_TOKEN_SIGNING_KEY", _))
        ));
    }
}

//! Wiring: the one place that reads the configuration, builds the SDK clients (once per
//! cold start) and puts the [`App`] together from them. The use cases in [`crate::app`]
//! see only ports; the local stack and the tests build their App through [`build`] too.

use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_smithy_runtime_api::client::http::SharedHttpConnector;

use crate::adapters::dynamo::DynamoStore;
use crate::adapters::google::JwksOverHttps;
use crate::adapters::https;
use crate::adapters::links::SignedLinks;
use crate::adapters::meeting::JitsiRooms;
use crate::adapters::realtime::ConnectionsApi;
use crate::adapters::s3::UploadsBucket;
use crate::adapters::ses::SesMailer;
use crate::adapters::sms::SnsTexts;
use crate::adapters::sns::NotificationTopic;
use crate::adapters::stripe::StripeApi;
use crate::auth::{CursorSigner, GoogleKeyCache, PasswordHasher, TokenIssuer};
use crate::config::{Config, ConfigError, Keys};
use crate::domain::{Limits, Policy};
use crate::observability::aws_calls::AwsCalls;
use crate::ports::{
    Clock, FileLinks, FileStore, LivePush, Mailer, NoFanout, NoFiles, NoMail, NoPayments, NoPush, NoTexts,
    NotificationFanout, PaymentError, PaymentProvider, SystemClock, TextMessages,
};

/// The application as deployed: the use cases over the DynamoDB table. Handlers take `&App`.
pub type App = crate::app::App<DynamoStore>;

/// The application could not be built at cold start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is missing or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTPS client could not be built.
    #[error("https client: {0}")]
    Https(#[from] aws_smithy_http_client::HttpClientError),
    /// The Stripe client could not be built.
    #[error("stripe client: {0}")]
    Stripe(#[from] PaymentError),
    /// The bucket's links cannot be signed (no credentials or region in the settings).
    #[error("upload links: {0}")]
    Links(#[from] crate::ports::FileError),
}

/// The clients an [`App`] talks through. Building a client is configuration only: no
/// connection is made until its first use.
#[derive(Clone)]
pub struct Clients {
    /// The table's client.
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// The WebSocket API's `@connections` endpoint, where the function pushes frames (as
    /// the port: only the binaries that call [`Clients::with_push`] link its client).
    pub push: Option<Arc<dyn LivePush>>,
    /// The notifications topic, where the function fans notifications out (as the port).
    pub fanout: Option<Arc<dyn NotificationFanout>>,
    /// The uploads bucket, where the function inspects, moves and deletes files (as the
    /// port: only the binaries that call [`Clients::with_files`] link its requests).
    pub files: Option<Arc<dyn FileStore>>,
    /// Presigned links into the uploads bucket, where the function hands them out.
    pub links: Option<Arc<dyn FileLinks>>,
    /// Stripe, where the function takes payments or hears of them. Held as the port, so
    /// only a binary that calls [`Clients::with_payments`] links the Stripe client (a
    /// coercion in [`build`] would link it into every function).
    pub payments: Option<Arc<dyn PaymentProvider>>,
    /// SES, where the function mails members (as the port, for the same reason).
    pub mail: Option<Arc<dyn Mailer>>,
    /// SMS through SNS, where the function texts codes (as the port).
    pub texts: Option<Arc<dyn TextMessages>>,
    /// Google's keys, where the function signs in or links with Google (login, profile).
    pub google: Option<Arc<GoogleKeyCache>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clients")
            .field("push", &self.push.is_some())
            .field("fanout", &self.fanout.is_some())
            .field("files", &self.files.is_some())
            .field("links", &self.links.is_some())
            .field("payments", &self.payments.is_some())
            .field("mail", &self.mail.is_some())
            .field("texts", &self.texts.is_some())
            .field("google", &self.google.is_some())
            .finish_non_exhaustive()
    }
}

impl Clients {
    /// The table alone: nothing is pushed and notifications stay in-app.
    pub fn new(dynamodb: aws_sdk_dynamodb::Client) -> Self {
        Self {
            dynamodb,
            push: None,
            fanout: None,
            files: None,
            links: None,
            payments: None,
            mail: None,
            texts: None,
            google: None,
        }
    }

    /// Also pushes live frames through `push`.
    pub fn with_push(mut self, push: ConnectionsApi) -> Self {
        self.push = Some(Arc::new(push));
        self
    }

    /// Also fans notifications out through `topic`.
    pub fn with_fanout(mut self, topic: NotificationTopic) -> Self {
        self.fanout = Some(Arc::new(topic));
        self
    }

    /// Also handles files in `bucket`.
    pub fn with_files(mut self, bucket: UploadsBucket) -> Self {
        self.files = Some(Arc::new(bucket));
        self
    }

    /// Also hands out presigned `links` into the bucket.
    pub fn with_links(mut self, links: SignedLinks) -> Self {
        self.links = Some(Arc::new(links));
        self
    }

    /// Also mails members through `mailer`.
    pub fn with_mail(mut self, mailer: SesMailer) -> Self {
        self.mail = Some(Arc::new(mailer));
        self
    }

    /// Also texts codes through `texts`.
    pub fn with_texts(mut self, texts: SnsTexts) -> Self {
        self.texts = Some(Arc::new(texts));
        self
    }

    /// Also verifies Google ID tokens, where `config` names client ids (only the binaries
    /// that call this link the key fetcher).
    pub fn with_google(mut self, config: &Config) -> Self {
        self.google = google_keys(config);
        self
    }

    /// Also takes payments through `stripe`.
    pub fn with_payments(mut self, stripe: StripeApi) -> Self {
        self.payments = Some(Arc::new(stripe));
        self
    }

    /// The table's client, from shared SDK settings, through the HTTPS client that trusts
    /// only Amazon's roots. No network call happens here: the SDK resolves credentials
    /// lazily on first use.
    pub async fn from_config(config: &Config) -> Result<Self, StartupError> {
        Ok(Self::from_sdk(config, &sdk_settings().await?))
    }

    /// The table's client from `sdk`'s settings (at `config`'s endpoint where one is set).
    /// Every other client is added by the builder of the functions that use it, so only
    /// their binaries link it.
    pub fn from_sdk(config: &Config, sdk: &aws_config::SdkConfig) -> Self {
        let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(sdk).interceptor(AwsCalls::from_env());
        if let Some(endpoint) = &config.dynamodb_endpoint {
            dynamodb = dynamodb.endpoint_url(endpoint);
        }
        Self::new(aws_sdk_dynamodb::Client::from_conf(dynamodb.build()))
    }
}

/// The SDK settings every client shares, through the HTTPS client that trusts only
/// Amazon's roots. No network call: credentials are read on first use.
///
/// Lambda hands a function its role's credentials and its region as environment variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`), the
/// first place aws-config's default chain looks. Reading exactly those keeps the rest of the
/// chain (profile files, SSO, STS web identity, ECS and IMDS) out of every binary; the local
/// stack exports the same variables.
async fn sdk_settings() -> Result<aws_config::SdkConfig, StartupError> {
    use aws_config::environment::{EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider};
    use aws_config::meta::region::ProvideRegion as _;
    let region = EnvironmentVariableRegionProvider::new().region().await;
    Ok(aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region)
        .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
            EnvironmentVariableCredentialsProvider::new(),
        ))
        .http_client(https::client()?)
        .build())
}

/// Builds the application from the environment set by template.yaml, reading only the
/// `keys` the function holds, on the wall clock.
pub async fn from_env(keys: Keys) -> Result<App, StartupError> {
    let config = Config::from_env(keys)?;
    let clients = Clients::from_config(&config).await?;
    Ok(build(&config, clients, Arc::new(SystemClock)))
}

/// As [`from_env`], with the clients that reach members live where the configuration names
/// them: the WebSocket API's `@connections` endpoint (frames to open connections) and the
/// notifications topic (mail, SMS and mobile push): for send-message, deliver and
/// admin-users.
pub async fn from_env_pushing(keys: Keys) -> Result<App, StartupError> {
    let config = Config::from_env(keys)?;
    let sdk = sdk_settings().await?;
    let mut clients = Clients::from_sdk(&config, &sdk);
    if let Some(endpoint) = &config.connections_endpoint {
        clients = clients.with_push(ConnectionsApi::from_sdk(&sdk, endpoint));
    }
    if let Some(arn) = &config.notifications_topic {
        clients = clients.with_fanout(NotificationTopic::from_sdk(&sdk, arn, config.sns_endpoint.as_deref()));
    }
    Ok(build(&config, clients, Arc::new(SystemClock)))
}

/// As [`from_env`], with the Stripe client the function's keys allow (the secret key, the
/// webhook secret or both): for the functions that call Stripe or hear from it.
pub async fn from_env_paying(keys: Keys) -> Result<App, StartupError> {
    let config = Config::from_env(keys)?;
    let stripe = StripeApi::new(
        config.stripe_secret_key.as_deref(),
        config.stripe_webhook_secret.as_deref(),
        config.stripe_api_base.as_deref(),
        &config.web_app_url,
    )?
    .in_currency(config.currency);
    let clients = Clients::from_config(&config).await?.with_payments(stripe);
    Ok(build(&config, clients, Arc::new(SystemClock)))
}

/// As [`from_env`], with presigned links into the uploads bucket the configuration names,
/// and Google's keys: for the functions that hand out links to files (profile,
/// admin-verifications; profile also links Google accounts). No request is made to the bucket.
pub async fn from_env_with_links(keys: Keys) -> Result<App, StartupError> {
    let config = Config::from_env(keys)?;
    let sdk = sdk_settings().await?;
    let mut clients = Clients::from_sdk(&config, &sdk);
    if let Some(bucket) = &config.uploads_bucket {
        clients = clients.with_links(SignedLinks::from_sdk(&sdk, bucket, config.s3_endpoint.as_deref())?);
    }
    // Profile links Google accounts; admin-verifications simply has no client ids.
    Ok(build(&config, clients.with_google(&config), Arc::new(SystemClock)))
}

/// As [`from_env_with_links`], with the bucket's own requests too (over S3's REST API, no
/// SDK client): for the function that checks, moves and deletes the files members upload
/// (uploads).
pub async fn from_env_with_files(keys: Keys) -> Result<App, StartupError> {
    let config = Config::from_env(keys)?;
    let sdk = sdk_settings().await?;
    let mut clients = Clients::from_sdk(&config, &sdk);
    if let Some(bucket) = &config.uploads_bucket {
        let links = SignedLinks::from_sdk(&sdk, bucket, config.s3_endpoint.as_deref())?;
        let connector = SharedHttpConnector::new(https::connector(https::amazon_roots())?);
        clients = clients.with_files(UploadsBucket::new(bucket, links.clone(), connector)).with_links(links);
    }
    Ok(build(&config, clients, Arc::new(SystemClock)))
}

/// As [`from_env`], with the SES client for the sender the configuration names, and
/// Google's keys: for the functions that mail members (register; login, which also signs
/// in with Google).
pub async fn from_env_mailing(keys: Keys) -> Result<App, StartupError> {
    let config = Config::from_env(keys)?;
    let sdk = sdk_settings().await?;
    let mut clients = Clients::from_sdk(&config, &sdk);
    // Login texts sign-in and phone codes to the countries it lists; register lists none.
    if !config.phone_countries.is_empty() {
        clients = clients.with_texts(SnsTexts::from_sdk(&sdk, config.sns_endpoint.as_deref()));
    }
    if let Some(sender) = &config.mail_sender {
        clients = clients.with_mail(SesMailer::from_sdk(
            &sdk,
            sender,
            config.mail_configuration_set.as_deref(),
            config.ses_endpoint.as_deref(),
        ));
    }
    Ok(build(&config, clients.with_google(&config), Arc::new(SystemClock)))
}

/// Builds the application over `clients` on `clock`. A missing push endpoint, topic or bucket
/// is wired as [`NoPush`] / [`NoFanout`] / [`NoFiles`], so the use cases never ask whether one exists.
pub fn build(config: &Config, clients: Clients, clock: Arc<dyn Clock>) -> App {
    let push: Arc<dyn LivePush> = clients.push.unwrap_or_else(|| Arc::new(NoPush));
    let fanout: Arc<dyn NotificationFanout> = clients.fanout.unwrap_or_else(|| Arc::new(NoFanout));
    let files: Arc<dyn FileStore> = clients.files.unwrap_or_else(|| Arc::new(NoFiles));
    let links: Arc<dyn FileLinks> = clients.links.unwrap_or_else(|| Arc::new(NoFiles));
    let mail: Arc<dyn Mailer> = clients.mail.unwrap_or_else(|| Arc::new(NoMail));
    let texts: Arc<dyn TextMessages> = clients.texts.unwrap_or_else(|| Arc::new(NoTexts));
    let payments: Arc<dyn PaymentProvider> = clients.payments.unwrap_or_else(|| Arc::new(NoPayments));
    App {
        store: DynamoStore::new(clients.dynamodb, config.table_name.clone()),
        tokens: TokenIssuer::new(&config.jwt, clock.clone()),
        cursors: config.cursor_key.as_ref().map_or_else(CursorSigner::without_key, CursorSigner::new),
        passwords: PasswordHasher::new(),
        clock,
        policy: Policy { fee: config.fee, currency: config.currency, ..Policy::default() },
        limits: Limits { texts_per_platform: Limits::platform_texts(config.sms_daily_cap), ..Limits::default() },
        rooms: Arc::new(JitsiRooms),
        push,
        fanout,
        files,
        links,
        payments,
        mail,
        texts,
        phones: crate::app::Phones { countries: config.phone_countries.clone(), key: config.code_key.clone() },
        web_app_url: config.web_app_url.clone(),
        google: clients.google,
    }
}

/// Google's keys where Sign in with Google is configured: built (nothing fetched) once per
/// cold start; the first Google sign-in fetches them.
fn google_keys(config: &Config) -> Option<Arc<GoogleKeyCache>> {
    if config.google_client_ids.is_empty() {
        return None;
    }
    match JwksOverHttps::new(&config.google_jwks_url) {
        Ok(fetch) => Some(Arc::new(GoogleKeyCache::new(Box::new(fetch), config.google_client_ids.clone()))),
        Err(error) => {
            tracing::error!(%error, "Google's key fetcher could not be built; Google sign-in is off");
            None
        }
    }
}

//! Injected faults: what a flaky cloud does to a client, drawn from a seeded RNG so a run can
//! be repeated.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Run-time fault settings (`PUT /_emulator/faults`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FaultSettings {
    /// Share of cloud API requests that get a fault, 0.0 to 1.0.
    #[serde(default)]
    pub fault_rate: f64,
    /// Reseeds the RNG when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rng_seed: Option<u64>,
    /// Added to every response.
    #[serde(default)]
    pub latency_ms: u64,
    /// Holds the answer to the N-th write request (counted from the start) after the write has
    /// taken effect, until the settings change: a cloud that commits and then goes silent, for
    /// tests that kill the client at that moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_after_writes: Option<u64>,
    /// Holds writes to one route until `writers` of them have come, then lets them all through
    /// at once, the first one last: several runs that each read before anyone wrote, one of them
    /// slow. Forces the lost-update race instead of hoping for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gather_writes: Option<GatherWrites>,
}

/// See [`FaultSettings::gather_writes`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatherWrites {
    /// The route as request counts name it, e.g. `PATCH /1.3/router/{uuid}`.
    pub route: String,
    /// How many writes to hold before letting any through.
    pub writers: u64,
    /// How much later the first write held is let through than the others.
    pub slow_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: 1`.
    RateLimitedWithRetryAfter,
    /// 429 without a hint.
    RateLimited,
    /// 500, 502 or 503 before the request is handled.
    ServerError(StatusCode),
    /// The connection closes before any answer: the client's send fails.
    Reset,
    /// An answer starts (status and headers), then the connection breaks before the body.
    Dropped,
    /// The request is handled (a write commits), then the connection drops: the answer is lost.
    LostResponse,
}

/// How one cloud answers the faults that carry a status, in its own error format.
pub trait FaultAnswers {
    /// A 429, with `Retry-After: 1` when `retry_after`.
    fn rate_limited(retry_after: bool) -> Response;
    /// A 5xx before the request was handled.
    fn server_error(status: StatusCode) -> Response;
}

pub struct FaultInjector {
    rng: StdRng,
    pub settings: FaultSettings,
    /// Writes held so far by the current `gather_writes` (it lets the rest through unheld).
    pub gathered: u64,
    /// A write of the current gathering waited a minute for the others and went on alone.
    pub gathering_missed: bool,
}

impl FaultInjector {
    pub fn new(settings: FaultSettings) -> FaultInjector {
        let rng = StdRng::seed_from_u64(settings.rng_seed.unwrap_or(0));
        FaultInjector { rng, settings, gathered: 0, gathering_missed: false }
    }

    pub fn update(&mut self, settings: FaultSettings) {
        if let Some(seed) = settings.rng_seed {
            self.rng = StdRng::seed_from_u64(seed);
        }
        if settings.gather_writes != self.settings.gather_writes {
            self.gathered = 0;
            self.gathering_missed = false;
        }
        self.settings = settings;
    }

    /// Draws whether (and how) this request fails.
    pub fn draw(&mut self) -> Option<Fault> {
        if self.settings.fault_rate <= 0.0 || self.rng.random::<f64>() >= self.settings.fault_rate {
            return None;
        }
        Some(match self.rng.random_range(0..7) {
            0 => Fault::RateLimitedWithRetryAfter,
            1 => Fault::RateLimited,
            2 => Fault::ServerError(StatusCode::INTERNAL_SERVER_ERROR),
            3 => Fault::ServerError(
                [StatusCode::BAD_GATEWAY, StatusCode::SERVICE_UNAVAILABLE][self.rng.random_range(0..2)],
            ),
            4 => Fault::Reset,
            5 => Fault::Dropped,
            _ => Fault::LostResponse,
        })
    }

    /// Whether every write of the current gathering was held until all had come.
    pub fn gathering_met(&self) -> bool {
        self.settings.gather_writes.as_ref().is_some_and(|g| self.gathered >= g.writers) && !self.gathering_missed
    }

    /// Random bytes for new object ids, from the same repeatable stream.
    pub fn bytes(&mut self) -> [u8; 16] {
        self.rng.random()
    }
}

/// A response whose body fails at once: the client sees the connection break.
pub fn broken_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected fault"))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(failing))
        .expect("static response parts")
}

/// Ends the connection without a byte of answer. Unwinding out of the handler makes the
/// server drop the connection; `resume_unwind` skips the panic hook, so nothing is printed.
pub fn reset() -> ! {
    std::panic::resume_unwind(Box::new("injected fault: connection reset before any answer"))
}

/// The response an early fault produces in cloud `C`'s format (`None` for faults that let the
/// request through).
pub fn early_response<C: FaultAnswers>(fault: Fault) -> Option<Response> {
    Some(match fault {
        Fault::RateLimitedWithRetryAfter => C::rate_limited(true),
        Fault::RateLimited => C::rate_limited(false),
        Fault::ServerError(status) => C::server_error(status),
        Fault::Reset => reset(),
        Fault::Dropped => broken_connection(),
        Fault::LostResponse => return None,
    })
}

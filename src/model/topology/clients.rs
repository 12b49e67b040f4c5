//! Clients that time out and retry: a request sent try after try, each try a visit to
//! the entry service, until one replies in time or the tries run out (see
//! `docs/journeys.md`). A try the client gave up on is not cancelled: the servers serve
//! it for no one, which is how a brief overload turns into a retry storm.

use crate::model::journey::retry::Client;
use crate::model::report::Observer;
use crate::model::request::{ClientRequestId, DropReason, Request, RequestId};
use crate::sim::{EventQueue, SimDuration, SimRng, SimTime, stream_rng};

use super::{Event, World};

/// The client of a request class: its policy, the stream its jitter is drawn from
/// (`client/jitter/<class>`), and its retry quota's balance.
pub(super) struct ClassClient {
    policy: Client,
    rng: SimRng,
    tokens: u32,
}

impl ClassClient {
    pub(super) fn new(policy: Client, seed: u64, class: &str) -> ClassClient {
        let tokens = policy
            .retry
            .as_ref()
            .and_then(|r| r.quota.as_ref())
            .map_or(0, |q| q.tokens);
        ClassClient {
            policy,
            rng: stream_rng(seed, &format!("client/jitter/{class}")),
            tokens,
        }
    }
}

impl<O: Observer> World<O> {
    /// The client sends its request (again): a new try, watched by its timeout.
    pub(super) fn send_try(
        &mut self,
        now: SimTime,
        cid: ClientRequestId,
        q: &mut EventQueue<Event>,
    ) {
        let Some(c) = self.clients.get_mut(cid) else {
            return;
        };
        c.tries += 1;
        let mut r = Request::new(now, c.demand_secs, c.class, c.key, None);
        r.client = Some(cid);
        let class = usize::from(c.class);
        let rid = self.requests.insert(r);
        if let Some(c) = self.clients.get_mut(cid) {
            c.current = Some(rid);
        }
        if let Some(t) = self.class_clients[class]
            .as_ref()
            .and_then(|c| c.policy.timeout_secs)
        {
            q.schedule_in(
                SimDuration::from_secs_f64(t),
                Event::ClientTimeout {
                    client: cid,
                    request: rid,
                },
            );
        }
        self.visit(now, rid, self.class_entries[class], q);
    }

    /// The try `rid` replied: the request completes if its client still waits for that
    /// try; otherwise the reply finds no one (work done for nothing).
    pub(super) fn client_reply(
        &mut self,
        now: SimTime,
        cid: ClientRequestId,
        rid: RequestId,
        class: u16,
    ) {
        match self.clients.get(cid) {
            Some(c) if c.current == Some(rid) => {
                let (sent, last_cost) = (c.sent, c.last_cost);
                self.clients.remove(cid);
                if let Some(cc) = self.class_clients[usize::from(class)].as_mut()
                    && let Some(q) = cc.policy.retry.as_ref().and_then(|r| r.quota.as_ref())
                {
                    q.refund(&mut cc.tokens, last_cost);
                }
                self.recorder.completed(now, class, now - sent);
            }
            _ => self.recorder.abandoned_reply(now, class),
        }
    }

    /// The try `rid` failed with `reason`: if the client still waits for it, it retries or
    /// gives up. (A try it had already given up on fails unseen.)
    pub(super) fn try_failed(
        &mut self,
        now: SimTime,
        cid: ClientRequestId,
        rid: RequestId,
        reason: DropReason,
        q: &mut EventQueue<Event>,
    ) {
        if let Some(c) = self.clients.get_mut(cid)
            && c.current == Some(rid)
        {
            c.current = None;
            self.retry_or_give_up(now, cid, reason, q);
        }
    }

    /// The client's timeout for its try `rid` expired: if that try has not replied, the
    /// client stops waiting for it (it runs on at the servers) and retries or gives up.
    pub(super) fn client_timeout(
        &mut self,
        now: SimTime,
        cid: ClientRequestId,
        rid: RequestId,
        q: &mut EventQueue<Event>,
    ) {
        self.try_failed(now, cid, rid, DropReason::ClientTimeout, q);
    }

    /// After a failed try: another after the policy's backoff, or, with the tries used
    /// up, the request is dropped for the last try's `reason`.
    fn retry_or_give_up(
        &mut self,
        now: SimTime,
        cid: ClientRequestId,
        reason: DropReason,
        q: &mut EventQueue<Event>,
    ) {
        let Some(c) = self.clients.get(cid) else {
            return;
        };
        let (class, tries) = (c.class, c.tries);
        let mut cost = 0;
        let wait = match self.class_clients[usize::from(class)].as_mut() {
            Some(cc) => cc.policy.retry.as_ref().and_then(|r| {
                let u: f64 = rand::RngExt::random(&mut cc.rng);
                let wait = r.wait_secs(tries, u)?;
                // With a quota, a retry needs its tokens; without them the request fails.
                if let Some(q) = &r.quota {
                    cost = q.take(&mut cc.tokens, reason == DropReason::ClientTimeout)?;
                }
                Some(wait)
            }),
            None => None,
        };
        match wait {
            Some(w) => {
                if let Some(c) = self.clients.get_mut(cid) {
                    c.last_cost = cost;
                }
                q.schedule_in(SimDuration::from_secs_f64(w), Event::Retry { client: cid });
            }
            None => {
                self.clients.remove(cid);
                self.recorder.dropped(now, reason, class, 1);
            }
        }
    }

    /// A backoff is over: the client sends its request again.
    pub(super) fn retry(&mut self, now: SimTime, cid: ClientRequestId, q: &mut EventQueue<Event>) {
        let Some(c) = self.clients.get(cid) else {
            return;
        };
        self.recorder.retried(now, c.class);
        self.send_try(now, cid, q);
    }
}

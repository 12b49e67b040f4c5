//! A service's work: the steps one of its workers runs for each visit, in order.

use serde::{Deserialize, Serialize};

use super::service::ServiceId;
use crate::model::workload::{Demand, DemandSampler};

/// One step of a service's work, as a scenario writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StepSpec {
    /// Local CPU demand, in CPU-seconds on the reference vCPU.
    Cpu(Demand),
    /// The request class's own demand (what a service without work runs), so a service
    /// that calls others can still do each class's own work first.
    ClassDemand,
    /// A synchronous call to the named service: the worker waits for the reply (a
    /// thread-per-request server).
    Call(String),
    /// An asynchronous call to the named service: the worker is released while the call
    /// is out, and the rest of the work takes a worker again when it replies (an
    /// event-loop server).
    AsyncCall(String),
    /// Calls to several services at once; the worker waits until all of them (or the
    /// first `k`) have replied. Branches still out then run on, their replies ignored.
    FanOut {
        /// The services called, one call each.
        to: Vec<String>,
        /// How many replies to wait for.
        #[serde(default)]
        wait: Wait,
    },
}

/// How many replies of a fan-out the caller waits for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wait {
    /// Every branch (the response is the slowest branch's).
    #[default]
    All,
    /// The first `k` branches to reply (k = 1: the fastest, as a hedged request).
    First(u16),
}

/// A step as the world runs it.
#[derive(Clone, Debug)]
pub enum Step {
    /// The request class's demand (what a service without steps of its own runs).
    ClassDemand,
    /// CPU demand drawn from the service's own stream.
    Cpu(DemandSampler),
    /// A call to another service.
    Call {
        /// The service called.
        to: ServiceId,
        /// Whether the caller keeps its worker while it waits.
        sync: bool,
    },
    /// Calls to several services at once, waiting on the worker for `wait` of them.
    FanOut {
        /// The services called.
        to: Vec<ServiceId>,
        /// How many replies it waits for (1..=to.len()).
        wait: u16,
    },
}

/// A checked step, its called service resolved to an id (a pool's `work` in the world's
/// configuration; empty means the class's demand).
#[derive(Clone, Debug, PartialEq)]
pub enum WorkStep {
    /// Local CPU demand.
    Cpu(Demand),
    /// The request class's demand.
    ClassDemand,
    /// A call.
    Call {
        /// The service called.
        to: ServiceId,
        /// Whether the caller keeps its worker while it waits.
        sync: bool,
    },
    /// A fan-out.
    FanOut {
        /// The services called.
        to: Vec<ServiceId>,
        /// How many replies it waits for (1..=to.len()).
        wait: u16,
    },
}

/// The first cycle in a call graph (`calls[n]`: the services `n` calls), as the services
/// along it and back to the first; `None` if there is none. A request in a cycle would
/// call forever.
pub fn call_cycle(calls: &[Vec<usize>]) -> Option<Vec<usize>> {
    // Depth-first search with colours: 0 unseen, 1 on the path, 2 done.
    fn visit(n: usize, calls: &[Vec<usize>], colour: &mut [u8], path: &mut Vec<usize>) -> bool {
        colour[n] = 1;
        path.push(n);
        for &m in calls.get(n).map_or(&[][..], Vec::as_slice) {
            if m >= colour.len() {
                continue;
            }
            if colour[m] == 1 {
                let start = path.iter().position(|x| *x == m).unwrap_or(0);
                path.drain(..start);
                path.push(m);
                return true;
            }
            if colour[m] == 0 && visit(m, calls, colour, path) {
                return true;
            }
        }
        colour[n] = 2;
        path.pop();
        false
    }
    let mut colour = vec![0u8; calls.len()];
    for n in 0..calls.len() {
        let mut path = Vec::new();
        if colour[n] == 0 && visit(n, calls, &mut colour, &mut path) {
            return Some(path);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_cycle_is_found_and_named_in_order() {
        // web -> api -> db: no cycle. web -> api -> web: the cycle 0, 1, 0.
        assert_eq!(call_cycle(&[vec![1], vec![2], vec![]]), None);
        assert_eq!(call_cycle(&[vec![1], vec![0]]), Some(vec![0, 1, 0]));
        // A service calling itself.
        assert_eq!(call_cycle(&[vec![], vec![1]]), Some(vec![1, 1]));
        // A diamond (web calls api and cache, both call db) is not a cycle.
        assert_eq!(call_cycle(&[vec![1, 2], vec![3], vec![3], vec![]]), None);
    }
}

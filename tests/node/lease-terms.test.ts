// The terms of a credit lease (ADR 026): an eighth of what is available, at most $5, nothing under a cent; valid
// 30 s at most; a give-back never takes more than the lease still holds.
import { describe, expect, it } from "vitest";
import {
  isLive,
  keySlice,
  LEASE_CAP_MICROS,
  LEASE_TTL_MS,
  leaseExpiry,
  leaseSlice,
  leaseTtl,
  takenBack,
} from "#worker/billing/lease-terms";

describe("lease terms", () => {
  it("lends at most $5 for at most 30 s", () => {
    expect(LEASE_CAP_MICROS).toBe(5_000_000);
    expect(LEASE_TTL_MS).toBe(30_000);
  });

  it("a lease's slice is what was wanted, at most an eighth of what is available and the cap", () => {
    expect(leaseSlice(50_000, 8_000_000)).toBe(50_000);
    expect(leaseSlice(2_000_000, 8_000_000)).toBe(1_000_000);
    expect(leaseSlice(2_000_000, 8_000_007)).toBe(1_000_000); // rounded down, never more than the share
    expect(leaseSlice(9_000_000, 100_000_000)).toBe(LEASE_CAP_MICROS);
  });

  it("lends nothing when the slice would be under a cent (near an empty balance)", () => {
    expect(leaseSlice(1_000_000, 80_000)).toBe(10_000);
    expect(leaseSlice(1_000_000, 79_999)).toBe(0);
    expect(leaseSlice(9_999, 8_000_000)).toBe(0);
    expect(leaseSlice(1_000_000, -8_000_000)).toBe(0);
  });

  it("a key's allowance grows by its share of the key's remaining limit, small slices included, never below 0", () => {
    expect(keySlice(50_000, 8_000_000)).toBe(50_000);
    expect(keySlice(2_000_000, 8_000_000)).toBe(1_000_000);
    expect(keySlice(2_000_000, 8_000_007)).toBe(1_000_000);
    expect(keySlice(9_000_000, 100_000_000)).toBe(LEASE_CAP_MICROS);
    expect(keySlice(1_000, 80)).toBe(10);
    expect(keySlice(1_000, -800)).toBe(0);
    expect(keySlice(-5, 8_000)).toBe(0);
  });

  it("a grant lasts the ttl the isolate asked for, never longer than 30 s", () => {
    expect(leaseTtl()).toBe(30_000);
    expect(leaseTtl(4_000)).toBe(4_000);
    expect(leaseTtl(60_000)).toBe(30_000);
    expect(leaseExpiry(1_000)).toBe(31_000);
    expect(leaseExpiry(1_000, 4_000)).toBe(5_000);
    expect(leaseExpiry(1_000, 60_000)).toBe(31_000);
  });

  it("a lease counts until its expiry, not at it", () => {
    expect(isLive(31_000, 30_999)).toBe(true);
    expect(isLive(31_000, 31_000)).toBe(false);
    expect(isLive(31_000, 31_001)).toBe(false);
  });

  it("a give-back takes what the isolate returns, never more than the lease still holds", () => {
    expect(takenBack(300, 1_000)).toBe(300);
    expect(takenBack(1_000, 1_000)).toBe(1_000);
    expect(takenBack(1_500, 1_000)).toBe(1_000);
    expect(takenBack(300, -200)).toBe(0); // overspent: nothing left to take
    expect(takenBack(0, 1_000)).toBe(0);
    expect(takenBack(-50, 1_000)).toBe(0);
  });
});

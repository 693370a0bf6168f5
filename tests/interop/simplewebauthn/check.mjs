// Verifies every response crosscheck_fixture wrote with @simplewebauthn/server and compares the
// outcome with vfido's relying-party emulator: verified or not, flags (UV), credentialDeviceType,
// backedUp, fmt, AAGUID and counters. Prints one line per response and "N passed, N failed".
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import {
  SettingsService,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';

if (!globalThis.crypto) globalThis.crypto = webcrypto;  // Node 18

const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let passed = 0;
let failed = 0;
let skipped = 0;

function compare(label, ours, theirs) {
  const diffs = [];
  for (const [key, value] of Object.entries(theirs)) {
    if (key in ours && ours[key] !== value) diffs.push(`${key}: vfido ${JSON.stringify(ours[key])}, simplewebauthn ${JSON.stringify(value)}`);
  }
  if (diffs.length === 0) {
    passed++;
    console.log(`ok   ${label}: ${ours.verified ? 'verified' : 'refused'} by both`);
  } else {
    failed++;
    const why = [ours.reason ? `vfido: ${ours.reason}` : '', theirs.error ? `simplewebauthn: ${theirs.error}` : '']
      .filter(Boolean)
      .join('; ');
    console.log(`FAIL ${label}: ${diffs.join('; ')}${why ? ` (${why})` : ''}`);
  }
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const uuid = (h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;

for (const c of fixture.cases) {
  if (c.skip) {
    skipped++;
    console.log(`skip ${c.name}: ${c.skip}`);
    continue;
  }
  SettingsService.setRootCertificates({ identifier: 'packed', certificates: c.rootCertificates ?? [] });
  let reg;
  let theirs;
  try {
    reg = await verifyRegistrationResponse({
      response: c.registration.response,
      expectedChallenge: c.registration.challenge,
      expectedOrigin: c.origin,
      expectedRPID: c.rpID,
      requireUserVerification: false,
      supportedAlgorithmIDs: [-7, -8, -257],
    });
    const info = reg.registrationInfo;
    theirs = reg.verified
      ? {
          verified: true,
          fmt: info.fmt,
          aaguid: info.aaguid,
          counter: info.counter,
          userVerified: info.userVerified,
          credentialDeviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
        }
      : { verified: false };
    if (c.rootCertificates) theirs.trusted = reg.verified;
  } catch (e) {
    theirs = { verified: false, error: String(e.message ?? e) };
  }
  compare(`${c.name} registration`, c.registration.rp, theirs);
  if (!reg?.verified) continue;

  let counter = reg.registrationInfo.counter;
  for (const [i, a] of c.authentications.entries()) {
    if (a.skip) {
      skipped++;
      console.log(`skip ${c.name} authentication ${i + 1}: ${a.skip}`);
      continue;
    }
    let result;
    try {
      const v = await verifyAuthenticationResponse({
        response: a.response,
        expectedChallenge: a.challenge,
        expectedOrigin: a.origin ?? c.origin,
        expectedRPID: c.rpID,
        authenticator: {
          credentialID: reg.registrationInfo.credentialID,
          credentialPublicKey: reg.registrationInfo.credentialPublicKey,
          counter,
        },
        requireUserVerification: false,
      });
      const info = v.authenticationInfo;
      result = v.verified
        ? {
            verified: true,
            newCounter: info.newCounter,
            userVerified: info.userVerified,
            credentialDeviceType: info.credentialDeviceType,
            backedUp: info.credentialBackedUp,
          }
        : { verified: false };
      if (v.verified) counter = info.newCounter;
    } catch (e) {
      result = { verified: false, error: String(e.message ?? e) };
    }
    compare(`${c.name} authentication ${i + 1}${a.tampered ? ' (flipped signature)' : ''}`, a.rp, result);
    if (a.tampered && a.rp.verified) {
      failed++;
      console.log(`FAIL ${c.name}: vfido accepted a flipped signature`);
    }
  }
}

if (fixture.remade > 0) {
  console.log(`note: ${fixture.remade} response(s) were made again because an ES256 signature in them (or in their certificates) has an r or s ` +
              'below 2^248, which @simplewebauthn/server 9.0.3 mis-decodes (it drops the DER 0x00 without padding)');
}
if (skipped > 0) {
  console.log(`note: ${skipped} response(s) left out: an ES256 signature in them has an r or s below 2^248, which ` +
              '@simplewebauthn/server 9.0.3 mis-decodes, and a scenario\'s ceremony cannot be made again');
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

/**
 * The webhook SSRF guard and signatures without a server: the address classification table,
 * the check on save, and one delivery attempt (sender.ts) against a real receiver on 127.0.0.1
 * with a resolver standing in for DNS — a name that rebinds from a public to a loopback address
 * between save and delivery is refused before any connection, and an allowed attempt connects to
 * the address the guard checked (the name itself exists in no DNS).
 */
import { createHmac } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateAddressKind } from "../../src/lib/private-address.ts";
import { ValidationError } from "../../src/core/errors.ts";
import { sendAttempt } from "../../src/core/webhooks/sender.ts";
import { generateSecret, secretProblem, signatureHeaders } from "../../src/core/webhooks/sign.ts";
import { checkTargetOnSave, parseTargetUrl, type Resolver } from "../../src/core/webhooks/target.ts";
import { startReceiver, type Receiver } from "../helpers/receiver.ts";

describe("privateAddressKind", () => {
  const refused = [
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.1",
    "172.16.5.4",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "::ffff:127.0.0.1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::10.0.0.1",
    "[::1]",
  ];
  const allowed = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"];
  it.each(refused)("%s is not public", (a) => expect(privateAddressKind(a)).toBeTypeOf("string"));
  it.each(allowed)("%s is public", (a) => expect(privateAddressKind(a)).toBeUndefined());
  it("names the kind, and throws for a non-address", () => {
    expect(privateAddressKind("169.254.169.254")).toBe("link-local / metadata");
    expect(privateAddressKind("::ffff:127.0.0.1")).toBe("loopback");
    expect(() => privateAddressKind("example.com")).toThrow(TypeError);
  });
});

describe("webhook targets", () => {
  let r: Receiver;
  beforeAll(async () => void (r = await startReceiver()));
  afterAll(async () => r.stop());
  const port = () => new URL(r.url).port;

  it("refuses private targets on save, accepts public and unresolvable names", async () => {
    for (const url of ["http://127.0.0.1/x", "http://2130706433/", "http://[::1]:8080/", "http://169.254.169.254/latest/meta-data", "http://[::ffff:10.0.0.1]/"]) {
      const err = await checkTargetOnSave(parseTargetUrl(url), false).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields.url).toMatch(/is not a public address \(.+\); webhook targets must be public/);
    }
    const rebinding: Resolver = async () => [{ address: "10.1.1.1", family: 4 }];
    await expect(checkTargetOnSave(parseTargetUrl("https://hooks.example/"), false, rebinding)).rejects.toThrow(/hooks\.example \(10\.1\.1\.1\) is not a public address \(private\)/);
    await expect(checkTargetOnSave(parseTargetUrl("https://hooks.example/"), false, async () => [{ address: "93.184.216.34", family: 4 }])).resolves.toBeUndefined();
    await expect(checkTargetOnSave(parseTargetUrl("https://hooks.example/"), false, async () => Promise.reject(Object.assign(new Error("nx"), { code: "ENOTFOUND" })))).resolves.toBeUndefined();
    await expect(checkTargetOnSave(parseTargetUrl("http://127.0.0.1/"), true)).resolves.toBeUndefined();
    expect(() => parseTargetUrl("file:///etc/passwd")).toThrow(/http or https/);
  });

  it("a name that rebinds to loopback after the save is refused at delivery, before connecting", async () => {
    let answers = 0;
    const rebinding: Resolver = async () => (answers++ === 0 ? [{ address: "93.184.216.34", family: 4 }] : [{ address: "127.0.0.1", family: 4 }]);
    const url = `http://hooks.rebind.test:${port()}/in`;
    await checkTargetOnSave(parseTargetUrl(url), false, rebinding);
    const before = r.received.length;
    const res = await sendAttempt({ url, headers: {}, body: "{}", timeoutMs: 2000, allowPrivate: false, resolve: rebinding });
    expect(res).toMatchObject({ status: null, refused: true });
    expect(res.error).toMatch(/^refused: hooks\.rebind\.test \(127\.0\.0\.1\) is not a public address \(loopback\)/);
    expect(r.received.length).toBe(before);
  });

  it("connects to the checked address and keeps the host name", async () => {
    const resolve: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
    const res = await sendAttempt({ url: `http://nowhere.invalid:${port()}/in`, headers: { "x-test": "1" }, body: '{"a":1}', timeoutMs: 2000, allowPrivate: true, resolve });
    expect(res).toMatchObject({ status: 200, error: null, refused: false });
    const last = r.received.at(-1)!;
    expect(last.headers.host).toBe(`nowhere.invalid:${port()}`);
    expect(last.body).toBe('{"a":1}');
  });

  it("signs with the FastCMS HMAC and Standard Webhooks; secrets are checked", () => {
    const secret = generateSecret();
    expect(secretProblem(secret)).toBeUndefined();
    expect(secretProblem("whsec_short")).toMatch(/base64/);
    expect(secretProblem("")).toMatch(/1-256/);
    const body = '{"event":"create"}';
    const h = signatureHeaders(secret, "msg_1", body, new Date());
    expect(h["x-webhook-signature"]).toBe(createHmac("sha256", secret).update(body).digest("hex"));
    expect(new StandardWebhook(secret).verify(body, h)).toEqual({ event: "create" });
  });
});

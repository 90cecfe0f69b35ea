/**
 * A real SAML 2.0 identity provider for the tests, on 127.0.0.1: samlify in the IdP role with a
 * key pair and self-signed certificate made for the run. `GET /sso` reads the AuthnRequest of
 * the service provider it was told to trust (HTTP-Redirect binding) and answers the auto-post
 * form a browser would submit to the SP, carrying a response signed by samlify for the user
 * set in `next`. `next.tweaks` bends one fact of the assertion (audience, recipient, validity)
 * for the refusal tests. With `wantSignedRequests` the IdP accepts only AuthnRequests signed
 * with the key in the SP's metadata (the redirect binding's `Signature` over the raw query).
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as samlify from "samlify";

samlify.setSchemaValidator({ validate: async () => "skipped" });

export interface IdpKeys {
  privateKey: string;
  certificate: string;
}

/** A private key and a self-signed certificate (PEM) for an IdP. */
export async function idpKeys(commonName: string): Promise<IdpKeys> {
  const selfsigned = await import("selfsigned");
  const pems = await selfsigned.generate([{ name: "commonName", value: commonName }], { keySize: 2048, notAfterDate: new Date(Date.now() + 30 * 86_400_000), algorithm: "sha256" });
  return { privateKey: pems.private, certificate: pems.cert };
}

export interface IdpUser {
  nameId: string;
  nameIdFormat?: string;
  /** attribute name → value, in the flavour's own attribute names */
  attributes: Record<string, string>;
}

export interface Tweaks {
  audience?: string;
  recipient?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const TEMPLATE =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">' +
  "<saml:Issuer>{Issuer}</saml:Issuer>" +
  '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
  '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">' +
  "<saml:Issuer>{Issuer}</saml:Issuer>" +
  '<saml:Subject><saml:NameID Format="{NameIDFormat}">{NameID}</saml:NameID>' +
  '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Recipient}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>' +
  '<saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>' +
  '<saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>' +
  "{Attributes}</saml:Assertion></samlp:Response>";

export class TestIdp {
  readonly entityId: string;
  /** the service provider (its metadata XML) this IdP answers */
  sp: ReturnType<typeof samlify.ServiceProvider> | null = null;
  next: { user: IdpUser; tweaks?: Tweaks } | null = null;
  #idp: ReturnType<typeof samlify.IdentityProvider> | null = null;
  #server: Server | null = null;
  url = "";

  constructor(
    readonly name: string,
    readonly keys: IdpKeys,
    readonly opts: { wantSignedRequests?: boolean } = {},
  ) {
    this.entityId = `https://idp.test/${name}`;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.#handle(req.url ?? "/")
        .then((html) => res.writeHead(200, { "content-type": "text/html" }).end(html))
        .catch((e: unknown) => res.writeHead(400, { "content-type": "text/plain" }).end(String(e)));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    this.#idp = samlify.IdentityProvider({
      entityID: this.entityId,
      privateKey: this.keys.privateKey,
      signingCert: this.keys.certificate,
      wantAuthnRequestsSigned: this.opts.wantSignedRequests ?? false,
      singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: `${this.url}/sso` }],
    });
    return this;
  }

  /** Trusts the SP described by `metadataXml` (Cairn's metadata for an account and flavour). */
  trust(metadataXml: string): void {
    this.sp = samlify.ServiceProvider({ metadata: metadataXml });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  async #handle(path: string): Promise<string> {
    const url = new URL(path, this.url);
    if (url.pathname !== "/sso") throw new Error("not found");
    if (!this.sp || !this.next) throw new Error("the test did not set up the SP and the user");
    const query = Object.fromEntries(url.searchParams);
    // the signed text of the redirect binding: the raw SAMLRequest, RelayState and SigAlg parameters
    const raw = (path.split("?")[1] ?? "").split("&");
    const octetString = ["SAMLRequest", "RelayState", "SigAlg"]
      .map((k) => raw.find((p) => p.startsWith(`${k}=`)))
      .filter(Boolean)
      .join("&");
    const parsed = await this.#idp!.parseLoginRequest(this.sp, "redirect", { query, octetString } as never);
    const { context, entityEndpoint } = await this.respond(String(parsed.extract.request?.id ?? ""));
    const relay = url.searchParams.get("RelayState") ?? "";
    return `<html><body><form method="post" action="${xml(entityEndpoint)}"><input type="hidden" name="SAMLResponse" value="${xml(context)}"/><input type="hidden" name="RelayState" value="${xml(relay)}"/></form></body></html>`;
  }

  /** A signed login response for `next.user` (InResponseTo `requestId` when given). */
  async respond(requestId: string | null): Promise<{ context: string; entityEndpoint: string }> {
    const { user, tweaks = {} } = this.next!;
    const sp = this.sp!;
    const acs = sp.entityMeta.getAssertionConsumerService(samlify.Constants.wording.binding.post) as string;
    const now = Date.now();
    const iso = (d: Date) => d.toISOString();
    const attributes = Object.entries(user.attributes)
      .map(([name, value]) => `<saml:Attribute Name="${xml(name)}"><saml:AttributeValue xsi:type="xs:string">${xml(value)}</saml:AttributeValue></saml:Attribute>`)
      .join("");
    const values: Record<string, string> = {
      ID: `_${randomUUID()}`,
      AssertionID: `_${randomUUID()}`,
      IssueInstant: iso(new Date(now)),
      Destination: acs,
      InResponseTo: requestId ?? "",
      Issuer: this.entityId,
      NameIDFormat: user.nameIdFormat ?? "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
      NameID: xml(user.nameId),
      NotBefore: iso(tweaks.notBefore ?? new Date(now - 60_000)),
      NotOnOrAfter: iso(tweaks.notOnOrAfter ?? new Date(now + 5 * 60_000)),
      Recipient: xml(tweaks.recipient ?? acs),
      Audience: xml(tweaks.audience ?? sp.entityMeta.getEntityID()),
      SessionIndex: `_${randomUUID()}`,
      Attributes: attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : "",
    };
    const build = (template: string) => {
      void template;
      let out = TEMPLATE;
      for (const [k, v] of Object.entries(values)) out = out.split(`{${k}}`).join(v);
      if (!requestId) out = out.replace(/ InResponseTo=""/g, "");
      return { id: values.ID!, context: out };
    };
    const r = (await this.#idp!.createLoginResponse(sp, { extract: { request: { id: requestId ?? "" } } } as never, "post", { email: user.nameId }, build)) as {
      context: string;
      entityEndpoint: string;
    };
    return { context: r.context, entityEndpoint: r.entityEndpoint };
  }
}

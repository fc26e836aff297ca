// Fetches a domain's MTA-STS policy file the way RFC 8461 §3.3 tells senders to: HTTPS to
// mta-sts.DOMAIN with a certificate valid for that name, status 200, no redirects followed.
import { request, type RequestOptions } from "node:https";
import type { SecureContext } from "node:tls";

export interface PolicyFetchTarget {
  /** mta-sts.DOMAIN: the TLS name and the Host header. */
  readonly host: string;
  readonly address: string;
  readonly port: number;
}

export type PolicyFetchResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

/** RFC 8461 §3.3 lets senders bound the policy's size; 64 KiB is what it suggests. */
const MAX_POLICY_BYTES = 64 * 1024;

export function fetchStsPolicy(
  target: PolicyFetchTarget,
  options: { readonly timeoutMs: number; readonly trust: SecureContext },
): Promise<PolicyFetchResult> {
  const url = `https://${target.host}/.well-known/mta-sts.txt`;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: PolicyFetchResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    // https hands these options to tls.connect, which takes a ready context; its types omit that.
    const requestOptions: RequestOptions & { secureContext: SecureContext } = {
      host: target.address,
      port: target.port,
      path: "/.well-known/mta-sts.txt",
      method: "GET",
      servername: target.host,
      headers: { host: target.host, accept: "text/plain" },
      secureContext: options.trust,
      // The certificate must verify: an unauthenticated policy is no policy (RFC 8461 §3.3).
      rejectUnauthorized: true,
      agent: false,
    };
    const req = request(requestOptions, (response) => {
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        const where = response.headers.location === undefined ? "" : ` to ${response.headers.location}`;
        finish({ ok: false, error: `${url} answered HTTP ${String(status)}${where} (senders need 200 and follow no redirect)` });
        return;
      }
      const type = (response.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
      if (type !== "text/plain") {
        finish({ ok: false, error: `${url} is served as ${JSON.stringify(type ?? "")}, not text/plain (RFC 8461 §3.2)` });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_POLICY_BYTES) finish({ ok: false, error: `${url} is larger than ${String(MAX_POLICY_BYTES / 1024)} KiB` });
        else chunks.push(chunk);
      });
      response.on("end", () => finish({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", (error) => finish({ ok: false, error: `${url}: ${error.message}` }));
    });
    const timer = setTimeout(
      () => finish({ ok: false, error: `${url}: no answer within ${String(options.timeoutMs)} ms` }),
      options.timeoutMs,
    );
    req.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, error: `${url}: ${describeHttpsError(error, target.host)}` }));
    req.end();
  });
}

function describeHttpsError(error: NodeJS.ErrnoException, host: string): string {
  if (error.code === "ERR_TLS_CERT_ALTNAME_INVALID") return `the certificate is not valid for ${host}`;
  if (error.code === "DEPTH_ZERO_SELF_SIGNED_CERT") return "self-signed certificate";
  if (error.code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || error.code === "UNABLE_TO_GET_ISSUER_CERT_LOCALLY")
    return "the certificate's issuer is not trusted";
  if (error.code === "ECONNREFUSED") return `connection refused (${error.message.replace(/^connect ECONNREFUSED /, "")})`;
  return error.code === undefined ? error.message : `${error.code}: ${error.message}`;
}

// The console in a real browser: Debian's headless chromium driven by playwright-core.
// Run by crates/streamwarden/tests/e2e_console.rs, which starts StreamWarden (watching the test
// Flink cluster), creates the admin, submits a job that fails, starts a DingTalk-speaking
// receiver and builds an application package, then checks from its side what this script did.
//
// Input (environment):
//   SW_URL           StreamWarden's base URL
//   SW_USER, SW_PASSWORD   the admin's credentials
//   SW_JOB_NAME      a Flink job that is RUNNING now and fails within a minute
//   SW_ROBOT_URL     the local receiver's URL for the DingTalk channel
//   SW_PACKAGE       path of an application package (zip) to upload and start
//   SW_SCREENSHOTS   directory for one screenshot per page (test artifacts)
//   CHROMIUM         the browser (default /usr/bin/chromium)
// Output: one line per step ("ok - …" / "not ok - …"), then a JSON line "RESULT {…}" with what
// the Rust side checks (channel name, application id, silence comment). Exit 1 on the first
// failing step, with a screenshot "failure.png".
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const base = env("SW_URL").replace(/\/$/, "");
const shots = env("SW_SCREENSHOTS");
mkdirSync(shots, { recursive: true });
const unique = Date.now().toString(36);
const result = { channel: `ding-console-${unique}`, silence: `console silence ${unique}` };

const browser = await chromium.launch({
  executablePath: env("CHROMIUM", "/usr/bin/chromium"),
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(20_000);
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("dialog", (d) => d.accept()); // confirm() of destructive buttons

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const expectText = async (locator, pattern, timeout = 20_000) => {
  await locator.first().waitFor({ timeout });
  const deadline = Date.now() + timeout;
  let text = "";
  while (Date.now() < deadline) {
    text = (await locator.first().innerText()).trim();
    if (pattern.test(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`expected ${pattern} in ${JSON.stringify(text)}`);
};

let failed = false;
async function step(name, body) {
  if (failed) return;
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (error) {
    failed = true;
    console.log(`not ok - ${name}: ${error.stack || error}`);
    await page.screenshot({ path: join(shots, "failure.png"), fullPage: true }).catch(() => {});
  }
}

await step("an unauthenticated visit goes to the sign-in page", async () => {
  await page.goto(`${base}/ui/`);
  await page.waitForURL(/\/ui\/login/);
  await shot("login");
});

await step("a wrong password is refused, the right one signs in", async () => {
  await page.fill('input[name="user"]', env("SW_USER"));
  await page.fill('input[name="password"]', "not the password");
  await page.click('button[type="submit"]');
  await expectText(page.locator("[data-result]"), /user or password is wrong/);
  await page.fill('input[name="password"]', env("SW_PASSWORD"));
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/ui/`);
  await expectText(page.locator('[data-testid="me"]'), new RegExp(env("SW_USER")));
});

await step("a real Flink job shows on the overview and its failure shows live", async () => {
  const row = page.locator(`tr[data-job="${env("SW_JOB_NAME")}"]`);
  await expectText(row.locator('[data-testid="state"]'), /RUNNING/, 30_000);
  await page.evaluate(() => { window.__notReloaded = true; });
  await shot("overview");
  await expectText(row.locator('[data-testid="state"]'), /FAILED/, 90_000);
  if (!(await page.evaluate(() => window.__notReloaded === true))) {
    throw new Error("the page was reloaded to show the change");
  }
  await shot("overview-failed");
});

await step("the jobs page filters and the job page tells the failure", async () => {
  await page.goto(`${base}/ui/jobs?state=FAILED&name=${encodeURIComponent(env("SW_JOB_NAME"))}`);
  const row = page.locator(`tr[data-job="${env("SW_JOB_NAME")}"]`);
  await expectText(row.locator('[data-testid="state"]'), /FAILED/);
  await shot("jobs");
  await row.locator("a").first().click();
  await expectText(page.locator('[data-testid="job-state"]'), /FAILED/);
  await expectText(page.locator('[data-testid="root-exception"]'), /demo failure/);
  await shot("job");
});

await step("a DingTalk channel is configured through its form", async () => {
  await page.goto(`${base}/ui/channels`);
  await shot("channels");
  await page.click('a[data-new-kind="dingtalk"]');
  const form = page.locator("form#channel-form");
  await form.locator('[name="config.name"]').fill(result.channel);
  await form.locator('[name="config.webhook_url"]').fill("not a url");
  await form.locator('button[type="submit"]', { hasText: "Save" }).click();
  await expectText(form.locator(".field-error"), /is not an http or https URL/);
  await shot("channel-invalid");
  await form.locator('[name="config.webhook_url"]').fill(env("SW_ROBOT_URL"));
  await form.locator('button[type="submit"]', { hasText: "Save" }).click();
  await page.waitForURL(new RegExp(`/ui/channels/${result.channel}$`));
});

await step("a test send reaches the receiver and says so", async () => {
  await page.click('[data-testid="test-send"]');
  await expectText(page.locator('[data-testid="test-result"]'), /delivered/i);
  await shot("channel");
});

await step("a silence is created", async () => {
  await page.goto(`${base}/ui/silences`);
  const form = page.locator("form#silence-form");
  await form.locator('[name="matchers.jobs"]').fill("orders-*");
  await form.locator('[name="duration"]').fill("2h");
  await form.locator('[name="comment"]').fill(result.silence);
  await form.locator('button[type="submit"]').click();
  await expectText(page.locator("tr[data-silence]", { hasText: result.silence }), /orders-\*/);
  await shot("silences");
});

await step("an application package is uploaded", async () => {
  await page.goto(`${base}/ui/apps`);
  const form = page.locator("form#upload-form");
  await form.locator('input[type="file"][name="file"]').setInputFiles(env("SW_PACKAGE"));
  await form.locator('button[type="submit"]').click();
  await page.waitForURL(/\/ui\/apps\/[^/]+$/);
  result.app = decodeURIComponent(page.url().split("/").pop());
});

await step("starting it shows what inspect found, and the run goes RUNNING live", async () => {
  await page.click('[data-testid="start"]');
  const dialog = page.locator("dialog#confirm-dialog");
  await dialog.waitFor({ state: "visible" });
  await expectText(dialog.locator('[data-testid="inspect"]'), /\S/);
  await shot("app-inspect");
  await dialog.locator('[data-testid="confirm"]').click();
  await expectText(page.locator('[data-testid="app-state"]'), /running/i, 90_000);
  await expectText(dialog.locator("[data-result]"), /Started .*RUNNING|Started .*running/i, 90_000);
  await shot("app");
  await page.goto(`${base}/ui/apps`);
  await shot("apps");
});

await step("the audit log shows each of these changes", async () => {
  await page.goto(`${base}/ui/audit`);
  const expected = [
    ["POST /api/v1/session", "session"],
    ["POST /api/v1/channels", `channels/${result.channel}`],
    ["POST /api/v1/channels/{name}/test", `channels/${result.channel}`],
    ["POST /api/v1/silences", "silences/"],
    ["POST /api/v1/apps/upload", `apps/${result.app}`],
    ["POST /api/v1/apps/{id}/start", `apps/${result.app}`],
  ];
  for (const [action, target] of expected) {
    const row = page.locator("tr[data-audit]", { hasText: action }).filter({ hasText: target });
    await expectText(row, new RegExp(`${env("SW_USER")}[\\s\\S]*console`));
  }
  await shot("audit");
});

await step("the remaining pages render", async () => {
  for (const name of ["alerts", "routes"]) {
    await page.goto(`${base}/ui/${name}`);
    await page.locator("main h1").waitFor();
    await shot(name);
  }
  if (consoleErrors.length) throw new Error(`script errors: ${consoleErrors.join("; ")}`);
});

console.log(`RESULT ${JSON.stringify(result)}`);
await browser.close();
process.exit(failed ? 1 : 0);

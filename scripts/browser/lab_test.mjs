// Real-browser check of the course (run by `make test` after scripts/setup.sh --browser):
// start JupyterLab from the project venv, open a copy of chapter 00 in Debian's Chromium through
// playwright-core, clear the outputs, run every cell on the GoNB kernel, then assert that the expected
// outputs appear and that no cell shows an error. A screenshot is kept in out/browser/.
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "out", "browser");
const CHAPTER = "00-intro.ipynb";
const EXPECTED = ["梯度检查通过", "学到的直线", "f(x) = [-2 0 4 13.75]"];
const RUN_TIMEOUT_MS = 10 * 60 * 1000;

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

function chromiumPath() {
  for (const p of [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (p && existsSync(p)) return p;
  }
  throw new Error("Chromium not found: run scripts/setup.sh --browser (installs Debian's chromium)");
}

async function waitForServer(url, deadline) {
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`JupyterLab did not answer at ${url}`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  // Work on a copy: running cells in the browser must not rewrite the committed notebook.
  copyFileSync(join(ROOT, "notebooks", CHAPTER), join(OUT, CHAPTER));

  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  const args = ["lab", "--no-browser", "--ServerApp.ip=127.0.0.1", `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0", `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${ROOT}`,
    "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"];
  if (process.getuid && process.getuid() === 0) args.push("--allow-root");
  const env = { ...process.env, PATH: `${join(ROOT, ".bin")}:${process.env.PATH}`, BERT2GPT_QUICK: "1" };
  const lab = spawn(join(ROOT, ".venv", "bin", "jupyter"), args, { env, detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let labLog = "";
  lab.stderr.on("data", (d) => { labLog = (labLog + d).slice(-20000); });
  const stopLab = () => { try { process.kill(-lab.pid, "SIGTERM"); } catch {} };

  let browser, page;
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForServer(`${base}/api/status?token=${token}`, Date.now() + 60_000);
    // Token auth is on: without the token the API refuses.
    const anon = await fetch(`${base}/api/contents`);
    if (anon.status !== 403) throw new Error(`JupyterLab answered ${anon.status} without a token; want 403`);

    browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/lab/tree/out/browser/${CHAPTER}?token=${token}`);
    await page.waitForFunction(() => window.jupyterapp && document.querySelector(".jp-NotebookPanel .jp-Notebook"), null, { timeout: 120_000 });
    // Wait for the GoNB kernel to be ready, then clear old outputs and run everything.
    await page.evaluate(() => window.jupyterapp.shell.currentWidget.sessionContext.ready);
    await page.waitForFunction(() => {
      const w = window.jupyterapp.shell.currentWidget;
      return w.sessionContext.session && w.sessionContext.session.kernel;
    }, null, { timeout: 120_000 });
    const kernelName = await page.evaluate(() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name);
    if (kernelName !== "gonb") throw new Error(`notebook opened on kernel ${kernelName}, want gonb`);
    await page.evaluate(() => window.jupyterapp.commands.execute("notebook:clear-all-cell-outputs"));
    const started = Date.now();
    await page.evaluate(() => window.jupyterapp.commands.execute("notebook:run-all-cells"));
    // Done when every code cell has an execution count and the kernel is idle.
    await page.waitForFunction(() => {
      const w = window.jupyterapp.shell.currentWidget;
      const cells = w.content.widgets.filter((c) => c.model.type === "code");
      const busy = [...document.querySelectorAll(".jp-InputPrompt")].some((p) => p.innerText.includes("*"));
      return !busy && cells.every((c) => c.model.executionCount !== null);
    }, null, { timeout: RUN_TIMEOUT_MS, polling: 1000 });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    // Read the outputs from the notebook model (JupyterLab only renders the cells in view).
    const report = await page.evaluate(() => {
      const w = window.jupyterapp.shell.currentWidget;
      const outs = w.content.widgets.filter((c) => c.model.type === "code").flatMap((c) => c.model.outputs.toJSON());
      const text = (o) => [].concat(o.text || (o.data && o.data["text/plain"]) || "").join("");
      return {
        cells: w.content.widgets.filter((c) => c.model.type === "code").length,
        text: outs.map(text).join("\n"),
        errors: outs.filter((o) => o.output_type === "error" || (o.output_type === "stream" && o.name === "stderr"))
          .map((o) => (o.output_type === "error" ? `${o.ename}: ${o.evalue}` : text(o)).slice(0, 500)),
        svgs: outs.filter((o) => o.data && [].concat(o.data["text/html"] || "").join("").includes("<polyline")).length,
      };
    });
    // Scroll the loss plot into view so the screenshot shows it rendered.
    await page.evaluate(() => {
      const w = window.jupyterapp.shell.currentWidget;
      const i = w.content.widgets.findIndex((c) => c.model.type === "code" &&
        c.model.outputs.toJSON().some((o) => o.data && [].concat(o.data["text/html"] || "").join("").includes("<svg")));
      if (i >= 0) return w.content.scrollToItem(i, "center");
    });
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      const svg = document.querySelector(".jp-OutputArea-output svg");
      if (svg) svg.scrollIntoView({ block: "center" });
    });
    await page.waitForTimeout(500);
    const svgInDom = await page.evaluate(() => document.querySelectorAll(".jp-OutputArea-output svg polyline").length);
    // Dismiss JupyterLab's "news" prompt if it shows, so it does not cover the screenshot.
    await page.getByRole("button", { name: "No", exact: true }).click({ timeout: 2000 }).catch(() => {});
    await page.screenshot({ path: join(OUT, "chapter00.png") });

    const problems = [];
    for (const e of EXPECTED) if (!report.text.includes(e)) problems.push(`expected output missing: ${JSON.stringify(e)}`);
    for (const e of report.errors) problems.push(`a cell shows an error: ${e}`);
    if (report.svgs < 1) problems.push("the loss plot (SVG) is missing from the outputs");
    if (svgInDom < 1) problems.push("the loss plot (SVG) was not rendered in the page");
    if (problems.length) {
      throw new Error(problems.join("\n") + `\n(screenshot: ${join(OUT, "chapter00.png")})`);
    }
    console.log(`browser: chapter 00 ran ${report.cells} code cells on the GoNB kernel in ${seconds}s in Chromium; ` +
      `expected outputs present, no errors, ${report.svgs} plot(s). Screenshot: out/browser/chapter00.png`);
    console.log("browser: 1 passed, 0 failed");
  } catch (e) {
    if (page) {
      const state = await page.evaluate(() => {
        const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return { widget: w && w.constructor.name, title: w && w.title.label, kernel: k && k.name, status: k && k.status };
      }).catch((err) => String(err));
      console.error("page state:", JSON.stringify(state));
      await page.screenshot({ path: join(OUT, "failure.png"), fullPage: true }).catch(() => {});
    }
    console.error(`browser test failed: ${e.message}\n--- JupyterLab log (tail) ---\n${labLog.slice(-3000)}`);
    console.log("browser: 0 passed, 1 failed");
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close();
    stopLab();
  }
}

await main();

// Browser tests of the sighted page in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). Prints TAP.
// Env: BASE (server URL), TOKEN (a token scoped to 192.0.2.0/24), SHOTS
// (directory for screenshots), USER_DATA (a fresh profile directory).
import { chromium } from 'playwright-core';

const { BASE, TOKEN, SHOTS, USER_DATA } = process.env;
let n = 0, failed = 0;
const ok = (cond, what, detail) => {
  n++;
  if (cond) console.log(`ok ${n} - ${what}`);
  else { failed++; console.log(`not ok ${n} - ${what}`); if (detail) console.log('# ' + String(detail).split('\n').join('\n# ')); }
};

const ctxs = [];
let browser;
try {
  browser = await chromium.launchPersistentContext(USER_DATA, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
} catch (e) {
  console.log('1..0 # SKIP chromium cannot start: ' + String(e.message).split('\n')[0]);
  process.exit(0);
}

// A fresh page with its own extra headers (X-Forwarded-For stands for the
// visitor's address: the server trusts the loopback proxy in this test).
async function open(path, headers = {}, opts = {}) {
  const page = await browser.newPage();
  await page.setExtraHTTPHeaders(headers);
  if (opts.viewport) await page.setViewportSize(opts.viewport);
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(BASE + path, { waitUntil: 'load' });
  return { page, errors };
}

try {
  // 1. the visitor's own verdict as the page opens
  {
    const { page, errors } = await open('/', { 'X-Forwarded-For': '192.0.2.10' });
    const v = page.locator('#verdict');
    ok(await v.isVisible(), 'own verdict is visible on load');
    ok((await v.getAttribute('class')).includes('listed'), 'own listed address shown as listed');
    const text = await v.innerText();
    ok(/Your address 192\.0\.2\.10 was seen/.test(text), 'verdict names the address and says it was seen', text);
    ok(/Trojanized 3CX desktop app/.test(text), 'verdict names the campaign', text);
    ok(/What to do/.test(text) && await page.getByRole('link', { name: 'Read the advisory' }).count() > 0, 'verdict says what to do and links the advisory');
    await page.screenshot({ path: `${SHOTS}/own-listed.png`, fullPage: true });
    ok(errors.length === 0, 'no script errors or CSP violations', errors.join('\n'));
    await page.close();
  }
  {
    const { page } = await open('/');
    const text = await page.locator('#verdict').innerText();
    ok(/Your address 127\.0\.0\.1 was not seen/.test(text), 'an unlisted visitor is told so', text);
    await page.screenshot({ path: `${SHOTS}/own-not-listed.png`, fullPage: true });
    await page.close();
  }

  // 2. a token holder checks a listed address and sees the evidence
  {
    const { page, errors } = await open('/');
    await page.getByLabel('Address or prefix').fill('192.0.2.12');
    ok(await page.getByLabel('Access token (optional)').isVisible(), 'with JavaScript the token field is shown');
    await page.getByLabel('Access token (optional)').fill(TOKEN);
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#verdict', { hasText: '192.0.2.12' }).waitFor();
    const text = await page.locator('#verdict').innerText();
    ok(/192\.0\.2\.12 was seen/.test(text), 'token holder: the listed address is listed', text);
    ok(/First seen\s+2023-03-22T10:00:00Z/.test(text), 'token holder: first seen shown', text);
    ok(/Times seen\s+7/.test(text), 'token holder: count shown', text);
    ok(/exchanged network traffic with an address of the campaign/.test(text), 'token holder: evidence explained', text);
    ok(/medium: the evidence is indirect/.test(text), 'token holder: how sure', text);
    ok(!page.url().includes(TOKEN), 'the token never appears in the address bar', page.url());
    ok(page.url().includes('ip=192.0.2.12'), 'the address bar keeps the query', page.url());
    ok(await page.locator('#verdict').evaluate(e => e === document.activeElement), 'focus moves to the answer (keyboard users)');
    await page.screenshot({ path: `${SHOTS}/token-evidence.png`, fullPage: true });
    ok(errors.length === 0, 'no script errors', errors.join('\n'));

    // the same page without the token: the self policy refuses
    await page.getByLabel('Access token (optional)').fill('');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#verdict', { hasText: 'Cannot answer' }).waitFor();
    ok(/own address/.test(await page.locator('#verdict').innerText()), 'anonymous check of another address is refused with a reason');
    await page.close();
  }

  // 3. without JavaScript: the form is answered by the server
  {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
    await page.setExtraHTTPHeaders({ 'X-Forwarded-For': '192.0.2.11' });
    await page.goto(BASE + '/', { waitUntil: 'load' });
    ok(await page.getByLabel('Access token (optional)').isHidden(), 'without JavaScript the token field stays hidden');
    await page.getByLabel('Address or prefix').fill('192.0.2.11');
    await Promise.all([page.waitForURL(/\?ip=192\.0\.2\.11/), page.getByRole('button', { name: 'Check' }).click()]);
    const text = await page.locator('#verdict').innerText();
    ok(/192\.0\.2\.11 was seen/.test(text), 'no-JS form: the server-rendered answer', text);
    ok((await page.getByLabel('Address or prefix').inputValue()) === '192.0.2.11', 'no-JS form: the field keeps the query');
    await page.screenshot({ path: `${SHOTS}/nojs-answer.png`, fullPage: true });
    await page.close();
  }

  // 4. a phone screen: nothing wider than the viewport
  {
    const { page } = await open('/?ip=192.0.2.10', { 'X-Forwarded-For': '192.0.2.10' }, { viewport: { width: 360, height: 740 } });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    ok(wide <= 360, 'fits a 360 px phone screen without sideways scrolling', `scrollWidth ${wide}`);
    await page.screenshot({ path: `${SHOTS}/phone.png`, fullPage: true });
    await page.close();
  }

  // 5. the operator's chart and the methodology page
  {
    const { page, errors } = await open('/stats');
    await page.waitForSelector('#chart svg polyline', { state: 'attached' });
    ok(await page.locator('#chart svg polyline').count() === 2, 'stats: one line per campaign');
    ok(/3cx-2023/.test(await page.locator('#legend').innerText()), 'stats: legend names the campaigns');
    ok(await page.locator('#totals table').count() === 1, 'stats: totals table');
    await page.screenshot({ path: `${SHOTS}/stats.png`, fullPage: true });
    ok(errors.length === 0, 'stats: no script errors', errors.join('\n'));
    await page.close();
  }
  {
    const { page } = await open('/methodology');
    const text = await page.locator('main').innerText();
    ok(/potentially impacted/.test(text) && /NAT and shared addresses/.test(text) && /built 2023-11-14T22:13:20Z/.test(text), 'methodology page: meaning, caveats, snapshot time');
    await page.close();
  }
} catch (e) {
  ok(false, 'browser test ran to the end', e.stack);
}
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);

// A user's journey through the app in a real Chromium (Debian's package, headless), against
// the real stack: started by tests/frontend, which passes FRONTEND_URL (the built app, served
// on an origin the gateway allows) and CHROMIUM_PATH. Screenshots go to test-results/.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";

const APP = process.env.FRONTEND_URL ?? "http://localhost:3000";
const SHOTS = process.env.SCREENSHOT_DIR ?? join(import.meta.dirname, "..", "test-results");
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let profileDir: string;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  profileDir = mkdtempSync(join(tmpdir(), "todo-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1100, height: 900 },
  });
  context.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function step(name: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    await Promise.all(
      context.pages().map((open, index) => shot(open, `failed-tab${index + 1}`).catch(() => undefined)),
    );
    throw new Error(`step "${name}" failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const todoList = (page: Page) => page.getByRole("list", { name: "Todos" });
const filters = (page: Page) => page.getByRole("form", { name: "Filters" });
const newTodo = (page: Page) => page.getByRole("form", { name: "New todo" });

/** Retries the assertion that follows until it holds (or 10 s pass). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 10_000, interval: 100 });

/** Waits (up to the default timeout) until the element is shown. */
const visible = (locator: Locator) => locator.waitFor({ state: "visible" });

async function titlesShown(page: Page): Promise<string[]> {
  return todoList(page).locator(".title").allTextContents();
}

async function expectTitles(page: Page, titles: string[]): Promise<void> {
  await poll(() => titlesShown(page).then((shown) => [...shown].sort())).toEqual([...titles].sort());
}

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await visible(page.getByRole("heading", { name: "My todos" }));
}

async function addTodo(page: Page, title: string, priority: string): Promise<void> {
  const form = newTodo(page);
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Priority").selectOption(priority);
  await form.getByRole("button", { name: "Add todo" }).click();
  await visible(todoList(page).getByText(title, { exact: true }));
}

it("sign up, log in, manage todos across two tabs, reload, log out and back in, delete the account", async () => {
  const email = `ada-${Date.now()}@example.com`;
  const password = "correct horse battery";
  const page = context.pages()[0] ?? (await context.newPage());

  await step("open the app: not signed in, so the login screen", async () => {
    await page.goto(APP);
    await visible(page.getByRole("heading", { name: "Log in" }));
    await shot(page, "login");
  });

  await step("sign up, with a 422 shown beside its field first", async () => {
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByLabel("Name").fill("Ada Lovelace");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    const passwordField = page.getByLabel("Password");
    await poll(() => passwordField.getAttribute("aria-invalid")).toBe("true");
    await visible(page.getByRole("alert").filter({ hasText: /at least 8 characters/ }).first());
    await shot(page, "signup-error");
    await passwordField.fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await visible(page.getByText("Your account is ready; log in."));
  });

  await step("a wrong password shows auth's detail beside the action", async () => {
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await visible(page.getByRole("alert").filter({ hasText: "Incorrect email or password" }));
  });

  await step("log in (the email is filled in from sign-up)", async () => {
    await poll(() => page.getByLabel("Email").inputValue()).toBe(email);
    await logIn(page, email, password);
    // The name may still be the email's local part: users learns it from auth's
    // user.registered event, which can arrive after this first request.
    await visible(page.getByText(/^Signed in as /));
  });

  await step("the refresh token is an HttpOnly cookie JavaScript cannot read", async () => {
    const cookies = await context.cookies();
    const refresh = cookies.find((cookie) => cookie.name === "refresh_token");
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/v1/auth" });
    expect(await page.evaluate(() => document.cookie)).not.toContain("refresh_token");
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).toBe("{}");
  });

  await step("create three todos (the last with the keyboard alone)", async () => {
    await addTodo(page, "Buy milk", "high");
    await addTodo(page, "Write report", "medium");
    const title = newTodo(page).getByLabel("Title");
    await title.focus();
    await page.keyboard.type("Call the plumber");
    await page.keyboard.press("Tab"); // Description
    await page.keyboard.type("Before Friday");
    await page.keyboard.press("Tab"); // Priority
    await page.keyboard.press("ArrowUp"); // medium -> low
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab"); // back in Title: Enter submits the form
    await page.keyboard.press("Enter");
    await visible(todoList(page).getByText("Call the plumber", { exact: true }));
    await expectTitles(page, ["Buy milk", "Write report", "Call the plumber"]);
  });

  await step("complete one", async () => {
    const done = page.getByRole("checkbox", { name: "Done: Buy milk" });
    await done.focus();
    await page.keyboard.press("Space");
    await poll(() => done.isChecked()).toBe(true);
  });

  await step("filter by status, priority and search; sort", async () => {
    await filters(page).getByLabel("Show").selectOption("done");
    await expectTitles(page, ["Buy milk"]);
    await filters(page).getByLabel("Show").selectOption("open");
    await expectTitles(page, ["Write report", "Call the plumber"]);
    await filters(page).getByLabel("Show").selectOption("all");
    await filters(page).getByLabel("Priority").selectOption("low");
    await expectTitles(page, ["Call the plumber"]);
    await filters(page).getByLabel("Priority").selectOption("");
    await filters(page).getByLabel("Search").fill("REPORT");
    await expectTitles(page, ["Write report"]);
    await filters(page).getByLabel("Search").fill("");
    await expectTitles(page, ["Buy milk", "Write report", "Call the plumber"]);
    await filters(page).getByLabel("Sort").selectOption("created_at");
    await poll(() => titlesShown(page)).toEqual(["Buy milk", "Write report", "Call the plumber"]);
    await filters(page).getByLabel("Sort").selectOption("-created_at");
    await poll(() => titlesShown(page)).toEqual(["Call the plumber", "Write report", "Buy milk"]);
  });

  const second = await context.newPage();
  await step("a second tab is signed in through the cookie and opens the todo to edit", async () => {
    await second.goto(APP);
    await visible(second.getByRole("heading", { name: "My todos" }));
    await second.getByRole("button", { name: "Edit Write report" }).click();
    await visible(second.getByRole("form", { name: "Edit todo Write report" }));
  });

  await step("the first tab edits the same todo", async () => {
    await page.bringToFront();
    await page.getByRole("button", { name: "Edit Write report" }).click();
    const form = page.getByRole("form", { name: "Edit todo Write report" });
    await form.getByLabel("Title").fill("Write the report");
    await form.getByRole("button", { name: "Save" }).click();
    await visible(todoList(page).getByText("Write the report", { exact: true }));
  });

  await step("the stale copy in the second tab gets the 412, then reloads and saves", async () => {
    await second.bringToFront();
    const form = second.getByRole("form", { name: "Edit todo Write report" });
    await form.getByLabel("Title").fill("Write report v2");
    await form.getByRole("button", { name: "Save" }).click();
    await visible(second.getByRole("alert").filter({ hasText: "changed elsewhere" }));
    await shot(second, "edit-conflict");
    await second.getByRole("button", { name: "Reload todo" }).click();
    const reloaded = second.getByRole("form", { name: "Edit todo Write the report" });
    await poll(() => reloaded.getByLabel("Title").inputValue()).toBe("Write the report");
    await reloaded.getByLabel("Description").fill("Due at the end of the month");
    await reloaded.getByRole("button", { name: "Save" }).click();
    await visible(todoList(second).getByText("Due at the end of the month"));
    await second.close();
  });

  await step("delete a todo", async () => {
    await page.bringToFront();
    await page.getByRole("button", { name: "Delete Call the plumber" }).click();
    await expectTitles(page, ["Buy milk", "Write the report"]);
  });

  await step("reload: still signed in, through the cookie", async () => {
    await page.reload();
    await visible(page.getByText(/^Signed in as /));
    await expectTitles(page, ["Buy milk", "Write the report"]);
    await visible(todoList(page).getByText("Due at the end of the month"));
    await shot(page, "todos");
  });

  await step("readable at phone width: nothing wider than the screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "todos-phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  await step("log out: the cookie is gone, a reload stays signed out", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await visible(page.getByText("You are logged out."));
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain("refresh_token");
    await page.reload();
    await visible(page.getByRole("heading", { name: "Log in" }));
  });

  await step("log back in: the todos are there", async () => {
    await logIn(page, email, password);
    await expectTitles(page, ["Buy milk", "Write the report"]);
  });

  await step("profile: change the name and the password", async () => {
    await page.getByRole("button", { name: "Profile" }).click();
    const nameForm = page.getByRole("form", { name: "Change name" });
    await nameForm.getByLabel("Name").fill("Ada King");
    await nameForm.getByRole("button", { name: "Save name" }).click();
    await visible(page.getByText("Signed in as Ada King"));
    const passwordForm = page.getByRole("form", { name: "Change password" });
    await passwordForm.getByLabel("Current password").fill("wrong password");
    await passwordForm.getByLabel("New password").fill("a new password 2");
    await passwordForm.getByRole("button", { name: "Change password" }).click();
    await visible(passwordForm.getByRole("alert").filter({ hasText: "Current password is incorrect" }));
    await passwordForm.getByLabel("Current password").fill(password);
    await passwordForm.getByRole("button", { name: "Change password" }).click();
    await visible(page.getByText("Password changed."));
    await shot(page, "profile");
    // The new session (logged in again with the new password) survives a reload.
    await page.reload();
    await visible(page.getByText("Signed in as Ada King"));
  });

  await step("a long list pages: 'Load more' follows the cursor", async () => {
    await page.getByRole("button", { name: "My todos" }).click();
    const title = newTodo(page).getByLabel("Title");
    for (let n = 1; n <= 19; n += 1) {
      await title.fill(`Chore ${n}`);
      await title.press("Enter");
      await visible(todoList(page).getByText(`Chore ${n}`, { exact: true }));
    }
    await page.reload(); // the list as the server pages it: 20 of the 21
    await poll(() => titlesShown(page).then((shown) => shown.length)).toBe(20);
    await page.getByRole("button", { name: "Load more" }).click();
    await poll(() => titlesShown(page).then((shown) => shown.length)).toBe(21);
    expect(await titlesShown(page)).toContain("Buy milk");
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);
  });

  await step("delete the account", async () => {
    await page.getByRole("button", { name: "Profile" }).click();
    await page.getByRole("button", { name: "Delete account" }).click();
    await page.getByRole("button", { name: "Yes, delete my account" }).click();
    await visible(page.getByText("Your account has been deleted."));
    await page.reload();
    await visible(page.getByRole("heading", { name: "Log in" }));
  });
});

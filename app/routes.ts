import { index, layout, prefix, type RouteConfig, route } from "@react-router/dev/routes";

export default [
  index("routes/home.tsx"),
  route("login", "routes/login.tsx"),
  route("signup", "routes/signup.tsx"),
  route("logout", "routes/logout.tsx"),
  route("privacy", "routes/privacy.tsx"),
  route("models", "routes/models.tsx"),
  route("privacy/verify", "routes/privacy-verify.tsx"),
  route("privacy/promises", "routes/privacy-promises.tsx"),
  route("confirm", "routes/confirm.tsx"),
  route("reset-password", "routes/reset-password.tsx"),
  route("account-deleted", "routes/account-deleted.tsx"),
  ...prefix("dashboard", [
    layout("routes/dashboard/layout.tsx", [
      index("routes/dashboard/overview.tsx"),
      route("keys", "routes/dashboard/keys.tsx"),
      route("usage", "routes/dashboard/usage.tsx"),
      route("requests", "routes/dashboard/requests.tsx"),
      route("requests/:id", "routes/dashboard/request.tsx"),
      route("models", "routes/dashboard/models.tsx"),
      route("playground", "routes/dashboard/playground.tsx"),
      route("playground/stream", "routes/dashboard/playground-stream.tsx"),
      route("settings", "routes/dashboard/settings.tsx"),
      route("billing", "routes/dashboard/billing.tsx"),
      route("whatsapp", "routes/dashboard/whatsapp.tsx"),
      route("privacy", "routes/dashboard/privacy.tsx"),
      route("account", "routes/dashboard/account.tsx"),
    ]),
    route("verify-email", "routes/dashboard/verify-email.tsx"),
  ]),
  route("admin", "routes/admin.tsx"),
] satisfies RouteConfig;

import { index, layout, prefix, type RouteConfig, route } from "@react-router/dev/routes";

export default [
  index("routes/home.tsx"),
  route("login", "routes/login.tsx"),
  route("signup", "routes/signup.tsx"),
  route("logout", "routes/logout.tsx"),
  route("privacy", "routes/privacy.tsx"),
  route("confirm", "routes/confirm.tsx"),
  route("reset-password", "routes/reset-password.tsx"),
  route("account-deleted", "routes/account-deleted.tsx"),
  ...prefix("dashboard", [
    layout("routes/dashboard/layout.tsx", [
      index("routes/dashboard/overview.tsx"),
      route("keys", "routes/dashboard/keys.tsx"),
      route("usage", "routes/dashboard/usage.tsx"),
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

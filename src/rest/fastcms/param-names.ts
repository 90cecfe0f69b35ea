/**
 * Core errors name inputs by their domain names (`pageSize`, `recordIds`, `newPassword`); a
 * FastCMS or SnackBase client knows them by its own parameter names (`per_page`, `record_ids`,
 * `new_password`). Routes run core operations through {@link withParamNames} so an error
 * names what the client sent.
 */
import { AppError, renameInputs } from "../../core/errors.ts";

/** Domain input name → FastCMS parameter name. */
export type ParamNames = ReadonlyMap<string, string>;

/** FastCMS names of the core's record-list and bulk inputs. */
export const RECORD_PARAM_NAMES: ParamNames = new Map([
  ["pageSize", "per_page"],
  ["recordIds", "record_ids"],
]);

/** FastCMS/SnackBase names of the core's sign-up inputs (one route serves both dialects). */
export const SIGN_UP_PARAM_NAMES: ParamNames = new Map([
  ["passwordConfirm", "password_confirm"],
  ["accountName", "account_name"],
  ["accountSlug", "account_slug"],
]);

/** FastCMS names of the core's password-change inputs. */
export const CHANGE_PASSWORD_PARAM_NAMES: ParamNames = new Map([
  ["oldPassword", "old_password"],
  ["newPassword", "new_password"],
  ["newPasswordConfirm", "new_password_confirm"],
]);

/** FastCMS/SnackBase names of the core's password-reset inputs (`password` is the same in both). */
export const RESET_PASSWORD_PARAM_NAMES: ParamNames = new Map([
  ["newPassword", "new_password"],
  ["passwordConfirm", "password_confirm"],
]);

/** SnackBase names of the core's user-administration inputs (/users routes). */
export const USER_PARAM_NAMES: ParamNames = new Map([
  ["accountId", "account_id"],
  ["roleId", "role_id"],
  ["isActive", "is_active"],
  ["authProvider", "auth_provider"],
  ["newPassword", "new_password"],
]);

/** FastCMS/SnackBase names of the core's OAuth inputs. */
export const OAUTH_PARAM_NAMES: ParamNames = new Map([["redirectUri", "redirect_uri"]]);

/** Runs `op`; an AppError from it is rethrown with its input names rendered through `names`. */
export async function withParamNames<T>(names: ParamNames, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw e instanceof AppError ? renameInputs(e, names) : e;
  }
}

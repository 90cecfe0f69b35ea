// A user as the users API answers it (README "Users (superadmin)").
export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  account_id: string;
  account_code: string | null;
  account_name: string;
  role_id: number;
  role_name: string;
  superadmin: boolean;
  is_active: boolean;
  email_verified: boolean;
  created_at: string;
  updated_at: string;
  last_login: string | null;
}

-- PostgreSQL for the central server: one role, one database, owned by that role.
--   sudo -u postgres psql -v password="'a long random password'" -f postgresql-setup.sql
-- The same password goes into /etc/union-server/server.env (UNION_SERVER_DB).
CREATE ROLE union_server LOGIN PASSWORD :password;
CREATE DATABASE union_server OWNER union_server ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE union_server FROM PUBLIC;

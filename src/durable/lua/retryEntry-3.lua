-- Acknowledges a failed delivery and schedules its next attempt, in one step. Nothing is
-- scheduled when the entry was no longer pending (another consumer claimed and settled it).
-- KEYS[1] the stream it came from; KEYS[2] the scheduled sorted set; KEYS[3] the scheduled-data hash.
-- ARGV[1] the group; ARGV[2] the entry id; ARGV[3] '1' to delete it (a retry stream entry);
-- ARGV[4] the schedule id; ARGV[5] the due time, epoch ms; ARGV[6] the packed next attempt.
-- Returns 1 when scheduled, 0 when the entry was not pending.
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
if ARGV[3] == '1' then redis.call('XDEL', KEYS[1], ARGV[2]) end
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[6])
return 1
